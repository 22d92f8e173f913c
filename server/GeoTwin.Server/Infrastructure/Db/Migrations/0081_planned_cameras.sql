-- A planner's accepted placement suggestion is a camera that does not exist yet: status 'planned'.
ALTER TABLE cameras DROP CONSTRAINT cameras_status_check;
ALTER TABLE cameras ADD CONSTRAINT cameras_status_check CHECK (status IN ('online', 'offline', 'fault', 'planned'));
