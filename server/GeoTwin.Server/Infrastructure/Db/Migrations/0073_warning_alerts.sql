-- The alerts list of the four-colour warning (Warnings slice): one row per warning raised (a place entered red or
-- black, or became one short of the next colour), written in the transaction of the level change, beside the texts.
-- At most one per place, month and warning, as the texts; the live push sends each row once, after its commit.
CREATE TABLE warning_alerts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id  bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    kind      text NOT NULL CHECK (kind IN ('red', 'black', 'one_short_of_yellow', 'one_short_of_orange',
                                            'one_short_of_red', 'one_short_of_black')),
    level     text NOT NULL CHECK (level IN ('none', 'yellow', 'orange', 'red', 'black')),
    count     integer NOT NULL CHECK (count >= 0),
    at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (place_id, month, kind)
);
CREATE INDEX warning_alerts_recent ON warning_alerts (at DESC, id DESC);

-- Scoped through the place, as the levels (0070).
GRANT SELECT ON warning_alerts TO geotwin_scoped;
ALTER TABLE warning_alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_alerts TO geotwin_scoped USING (EXISTS (SELECT 1 FROM warning_places p WHERE p.id = place_id));
