-- The outbox of warning texts (Warnings slice): written in the transaction that changed the level, delivered by a job.
-- At most one text per place, month, warning and phone (the unique key); `id` goes to the gateway as the message id,
-- so a text the gateway took just before GeoTwin stopped is recognised there when it is sent again.
CREATE TABLE warning_texts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id         bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    month            date NOT NULL,
    -- 'red', 'black' (entered) or 'one_short_of_<level>'
    warning          text NOT NULL CHECK (warning IN ('red', 'black', 'one_short_of_yellow', 'one_short_of_orange',
                                                       'one_short_of_red', 'one_short_of_black')),
    phone            text NOT NULL,
    role             text NOT NULL,
    body             text NOT NULL CHECK (length(body) <= 500),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (place_id, month, warning, phone)
);
CREATE INDEX warning_texts_due ON warning_texts (next_attempt_at) WHERE status = 'pending';
