-- Where a camera's live video lives on the bureau's GB/T 28181 platform (Coverage/Video): the platform plays a channel
-- of a device. An IP camera registered on its own is both (NULL here: the camera's own id for each); a camera behind an
-- NVR or a lower platform is a channel of that device. Ids are GB/T 28181 20-digit codes.
ALTER TABLE cameras
    ADD COLUMN video_device_id  text CONSTRAINT cameras_video_device_id CHECK (video_device_id ~ '^[0-9]{20}$'),
    ADD COLUMN video_channel_id text CONSTRAINT cameras_video_channel_id CHECK (video_channel_id ~ '^[0-9]{20}$');
