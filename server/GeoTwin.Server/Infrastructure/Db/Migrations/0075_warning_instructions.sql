-- Instructions (指令) raised from a warning, by rule or by hand (Warnings slice, Instructions): what to do at a place,
-- who holds it, by when; and every transition with who and when. Statuses and actions are vocabulary.json's
-- "instructionStatuses" / "instructionActions" (the test holds these CHECKs to it).
CREATE TABLE warning_instructions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id           bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    -- The warning it came from (the place's level in that month); null for one raised by hand without a warning.
    month              date CHECK (extract(day FROM month) = 1),
    warning            text CHECK (warning IN ('yellow', 'orange', 'red', 'black')),
    -- The configured rule that raised it (null: by hand). A rule raises once per place and month.
    rule               text CHECK (length(rule) BETWEEN 1 AND 60),
    task               text NOT NULL CHECK (length(task) BETWEEN 1 AND 500),
    -- The account that holds it now, and the level of the tree that account stands for (escalation moves both up).
    assignee_id        bigint NOT NULL REFERENCES users (id),
    assignee_name      text NOT NULL,
    holder             text NOT NULL CHECK (holder IN ('community_officer', 'station_leader', 'sub_bureau')),
    due_at             timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'accepted', 'done', 'verified', 'sent_back')),
    feedback           text CHECK (length(feedback) <= 2000),
    return_reason      text CHECK (length(return_reason) <= 2000),
    done_at            timestamptz,
    verified_at        timestamptz,
    -- Set by the overdue job when the deadline passed unfinished; escalated_at when it last moved up a level.
    overdue_since      timestamptz,
    escalated_at       timestamptz,
    raised_by          text NOT NULL,
    raised_at          timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    UNIQUE (place_id, month, rule)
);
CREATE INDEX warning_instructions_assignee ON warning_instructions (assignee_id, status);
CREATE INDEX warning_instructions_open_due ON warning_instructions (due_at) WHERE status IN ('issued', 'accepted', 'sent_back');
CREATE INDEX warning_instructions_jurisdiction_gist ON warning_instructions USING gist (jurisdiction_path);
CREATE INDEX warning_instructions_raised ON warning_instructions (raised_at);
CREATE TRIGGER warning_instructions_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON warning_instructions
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER warning_instructions_touch BEFORE UPDATE ON warning_instructions FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Every transition: who (account id and name; null id = GeoTwin's own jobs) and when. Append-only.
CREATE TABLE warning_instruction_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instruction_id  bigint NOT NULL REFERENCES warning_instructions (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('raised', 'accept', 'report', 'verify', 'send_back', 'overdue', 'escalated')),
    from_status     text,
    to_status       text NOT NULL,
    actor_id        bigint REFERENCES users (id),
    actor           text NOT NULL,
    note            text CHECK (length(note) <= 2000),
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_instruction_events_instruction ON warning_instruction_events (instruction_id, id);
CREATE TRIGGER warning_instruction_events_append_only BEFORE UPDATE ON warning_instruction_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Which level changes the rules have looked at (one row): the rules job reads only the changes after it.
CREATE TABLE warning_instruction_rule_cursor (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_change  bigint NOT NULL DEFAULT 0
);
INSERT INTO warning_instruction_rule_cursor DEFAULT VALUES;

-- Requests read and move instructions in their own subtree (row-level security as every other table, 0009).
GRANT SELECT, INSERT ON warning_instructions TO geotwin_scoped;
GRANT UPDATE (status, feedback, return_reason, done_at, verified_at, updated_at) ON warning_instructions TO geotwin_scoped;
GRANT SELECT, INSERT ON warning_instruction_events TO geotwin_scoped;
GRANT USAGE ON SEQUENCE warning_instructions_id_seq, warning_instruction_events_id_seq TO geotwin_scoped;
ALTER TABLE warning_instructions ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_instructions TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE warning_instruction_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_instruction_events TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM warning_instructions i WHERE i.id = instruction_id));
