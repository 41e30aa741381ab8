-- Loads one Kua dataset folder (CSV, from kua dataset export) into the union.
-- Generated from crates/kua-analysis/src/dataset/sql.rs. Run once per coordinator:
--   psql -v dir=/path/to/dataset -f /abs/schema.sql -f /abs/load.sql
-- (\copy does not expand variables, so the script moves into the folder, whose
-- path may not contain spaces; give the script files as absolute paths).
\set ON_ERROR_STOP on
\cd :dir
BEGIN;
CREATE TEMP TABLE s_testimonies (LIKE testimonies) ON COMMIT DROP;
\copy s_testimonies FROM 'testimonies.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_methods (LIKE methods) ON COMMIT DROP;
\copy s_methods FROM 'methods.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_detention_places (LIKE detention_places) ON COMMIT DROP;
\copy s_detention_places FROM 'detention_places.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_witnesses (LIKE witnesses) ON COMMIT DROP;
\copy s_witnesses FROM 'witnesses.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_perpetrators (LIKE perpetrators) ON COMMIT DROP;
\copy s_perpetrators FROM 'perpetrators.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_medical_findings (LIKE medical_findings) ON COMMIT DROP;
\copy s_medical_findings FROM 'medical_findings.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_items (LIKE items) ON COMMIT DROP;
\copy s_items FROM 'items.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE s_codebook (LIKE codebook) ON COMMIT DROP;
\copy s_codebook FROM 'codebook.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE newer ON COMMIT DROP AS
  SELECT s.source, s.record_id FROM s_testimonies s
  LEFT JOIN testimonies t USING (source, record_id)
  WHERE t.record_id IS NULL OR s.version > t.version;
DELETE FROM testimonies x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO testimonies SELECT s.* FROM s_testimonies s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM methods x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO methods SELECT s.* FROM s_methods s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM detention_places x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO detention_places SELECT s.* FROM s_detention_places s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM witnesses x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO witnesses SELECT s.* FROM s_witnesses s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM perpetrators x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO perpetrators SELECT s.* FROM s_perpetrators s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM medical_findings x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO medical_findings SELECT s.* FROM s_medical_findings s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM items x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;
INSERT INTO items SELECT s.* FROM s_items s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;
DELETE FROM codebook;
INSERT INTO codebook SELECT * FROM s_codebook;
COMMIT;
