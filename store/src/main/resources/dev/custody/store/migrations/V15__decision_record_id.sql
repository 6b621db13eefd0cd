-- Each decision carries an id given when it was made, unique in the log: a decision spooled on a replica's disk while
-- the store was down, and written again when it returned, is written once even when the first write did commit.
ALTER TABLE decision ADD COLUMN record_id TEXT;
CREATE UNIQUE INDEX decision_record_id ON decision (record_id);
