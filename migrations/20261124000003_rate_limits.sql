-- Fixed-window request counters, in Postgres so that every server instance counts
-- together. One row per bucket, key (an IP, an account) and window.
CREATE TABLE rate_limit_hits (
    bucket       text NOT NULL,
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL CHECK (hits > 0),
    PRIMARY KEY (bucket, key, window_start)
);
CREATE INDEX rate_limit_hits_by_age ON rate_limit_hits (window_start);
