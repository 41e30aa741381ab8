//! The PostgreSQL schema and load script of a union of datasets, generated from the
//! dataset's own tables so that the two cannot drift apart.

use super::{codebook::codebook, shape};

/// The PostgreSQL schema of a union of datasets (`assets/sql/schema.sql` is this text;
/// a test fails when the two differ). Label columns are named `…__label`: `\copy`
/// maps columns by position, so a dataset in any language loads.
pub fn postgres_schema() -> String {
    let mut out = String::from(
        "-- The union of Kua datasets (kua dataset export) from several coordinators.\n\
         -- Generated from crates/kua-analysis/src/dataset/sql.rs; regenerate with\n\
         -- KUA_BLESS=1 cargo test -p kua-analysis schema. Load with assets/sql/load.sql.\n",
    );
    let Some(shape) = shape("label") else {
        return out;
    };
    let mut sheets = shape.sheets;
    sheets.push(codebook(shape.tpl, &shape.top, &shape.lists));
    for sheet in &sheets {
        out.push_str(&format!("\nCREATE TABLE IF NOT EXISTS {} (\n", sheet.name));
        let mut lines: Vec<String> = sheet
            .columns
            .iter()
            .zip(&sheet.types)
            .map(|(c, t)| format!("    \"{c}\" {t}"))
            .collect();
        if !sheet.key.is_empty() {
            let key: Vec<String> = sheet.key.iter().map(|k| format!("\"{k}\"")).collect();
            lines.push(format!("    PRIMARY KEY ({})", key.join(", ")));
        }
        out.push_str(&lines.join(",\n"));
        out.push_str("\n);\n");
    }
    out
}

/// The psql script that loads one dataset folder into the union (`assets/sql/load.sql`
/// is this text). A record already loaded from another coordinator's dataset is
/// replaced only by a later version of it, with its rows in every table.
pub fn postgres_load() -> String {
    let tables = dataset_tables();
    let records = &tables[..tables.len() - 1];
    let mut out = String::from(
        "-- Loads one Kua dataset folder (CSV, from kua dataset export) into the union.\n\
         -- Generated from crates/kua-analysis/src/dataset/sql.rs. Run once per coordinator:\n\
         --   psql -v dir=/path/to/dataset -f /abs/schema.sql -f /abs/load.sql\n\
         -- (\\copy does not expand variables, so the script moves into the folder, whose\n\
         -- path may not contain spaces; give the script files as absolute paths).\n\
         \\set ON_ERROR_STOP on\n\
         \\cd :dir\n\
         BEGIN;\n",
    );
    for t in &tables {
        out.push_str(&format!(
            "CREATE TEMP TABLE s_{t} (LIKE {t}) ON COMMIT DROP;\n\
             \\copy s_{t} FROM '{t}.csv' WITH (FORMAT csv, HEADER true)\n"
        ));
    }
    out.push_str(
        "CREATE TEMP TABLE newer ON COMMIT DROP AS\n  \
         SELECT s.source, s.record_id FROM s_testimonies s\n  \
         LEFT JOIN testimonies t USING (source, record_id)\n  \
         WHERE t.record_id IS NULL OR s.version > t.version;\n",
    );
    for t in records {
        out.push_str(&format!(
            "DELETE FROM {t} x USING newer n WHERE x.source = n.source AND x.record_id = n.record_id;\n\
             INSERT INTO {t} SELECT s.* FROM s_{t} s JOIN newer n ON s.source = n.source AND s.record_id = n.record_id;\n"
        ));
    }
    out.push_str(
        "DELETE FROM codebook;\nINSERT INTO codebook SELECT * FROM s_codebook;\nCOMMIT;\n",
    );
    out
}

/// The tables a dataset holds, in load order (for `assets/sql/load.sql`).
pub fn dataset_tables() -> Vec<String> {
    let mut names: Vec<String> = shape("label")
        .map(|s| s.sheets.into_iter().map(|s| s.name).collect())
        .unwrap_or_default();
    names.push("codebook".into());
    names
}
