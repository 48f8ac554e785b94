-- Issue 13 (sign-in and sessions).

-- A company deactivated by 1C revokes every session of its users in one statement.
CREATE INDEX sessions_company ON sessions(company_id);

-- Sign-in attempts are counted before the password is checked, in one conditional statement
-- (shared::auth::throttle). Times in unix seconds, so the limits and delays are computed in SQL.
-- The old counters (15-minute windows) are dropped: at worst a lock ends early once.
DROP TABLE sign_in_throttle;
CREATE TABLE sign_in_throttle (
  key           TEXT PRIMARY KEY,   -- pair:<email>|<address>, ip:<address>, acct:<email>, reauth:<user id>
  window_start  INTEGER NOT NULL,
  failures      INTEGER NOT NULL,   -- attempts counted in the window; a success gives its attempt back
  max_failures  INTEGER NOT NULL,   -- the limit it was last counted under
  grows         INTEGER NOT NULL,   -- 1: past the limit, delays that double instead of a lock to the window's end
  locked_until  INTEGER NOT NULL    -- 0 when not locked
);

-- Refresh tokens rotate on every use: the previous hash stays findable for a short grace (two tabs
-- refreshing at once); after it, presenting it again revokes the session (token reuse).
ALTER TABLE sessions ADD COLUMN prev_refresh_hash TEXT;
ALTER TABLE sessions ADD COLUMN rotated_at TEXT;
CREATE INDEX sessions_prev_refresh ON sessions(prev_refresh_hash);
