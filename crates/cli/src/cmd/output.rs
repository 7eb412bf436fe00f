//! How results are printed: aligned tables for people (states coloured only on a terminal,
//! instants in London time with their zone) or JSON for scripts (`--json`: the canonical
//! protobuf JSON of the response, field names as in the `.proto` files).

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

/// Where and how to print.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: one JSON document per result (one per line for streams).
    pub json: bool,
    /// Colour states: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
}

impl Output {
    /// Decides colour from the environment.
    pub fn new(json: bool) -> Self {
        let color = !json
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Output { json, color }
    }

    /// Prints `message` (full protobuf name `name`, e.g. `ofsted.inspections.v1.CommandResponse`)
    /// as one line of JSON.
    pub fn json_line(&self, message: &impl prost::Message, name: &str) -> anyhow::Result<()> {
        let value = proto_json(message, name)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
        out.flush()?;
        Ok(())
    }

    /// `text` in the colour of a state (green done, yellow waiting, red missed or refused).
    pub fn state(&self, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match text {
            "met" | "published" | "ended" | "submitted" | "final_issued" | "none_exists"
            | "closed" | "granted" => "32",
            "missed" | "missing" | "cancelled" | "late" | "refused" | "incomplete" => "31",
            "pending" | "outstanding" | "open" | "paused" | "on_site" | "notified" | "planned" => {
                "33"
            }
            "superseded" => "2",
            _ => "36",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// Bold, on a terminal.
    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The descriptors of the whole API (and its imports, e.g. `google.protobuf.Timestamp`).
pub fn pool() -> anyhow::Result<&'static DescriptorPool> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(proto::pb::FILE_DESCRIPTOR_SET).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| anyhow::anyhow!("the API descriptors do not decode: {e}"))
}

/// The canonical protobuf JSON of `message`, with the `.proto` field names, every field
/// present (defaults included) and 64-bit numbers as numbers.
pub fn proto_json(message: &impl prost::Message, name: &str) -> anyhow::Result<serde_json::Value> {
    let desc = pool()?
        .get_message_by_name(name)
        .ok_or_else(|| anyhow::anyhow!("unknown message {name}"))?;
    let dynamic = DynamicMessage::decode(desc, message.encode_to_vec().as_slice())?;
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .stringify_64_bit_integers(false)
        .skip_default_fields(false);
    Ok(dynamic.serialize_with_options(serde_json::value::Serializer, &options)?)
}

/// Parses the canonical protobuf JSON of message `name` (e.g. a `StructuredInfo` given on
/// the command line) into `M`.
pub fn from_proto_json<M: prost::Message + Default>(json: &str, name: &str) -> anyhow::Result<M> {
    let desc = pool()?
        .get_message_by_name(name)
        .ok_or_else(|| anyhow::anyhow!("unknown message {name}"))?;
    let mut de = serde_json::Deserializer::from_str(json);
    let dynamic = DynamicMessage::deserialize(desc, &mut de)?;
    de.end()?;
    Ok(M::decode(
        prost::Message::encode_to_vec(&dynamic).as_slice(),
    )?)
}

/// An instant in London time with its zone, e.g. `Mon 2027-01-04 09:31 GMT`; `-` when unset.
pub fn london(ts: Option<&prost_types::Timestamp>) -> String {
    match ts.and_then(utc) {
        Some(t) => london_utc(t),
        None => "-".to_owned(),
    }
}

/// A UTC instant in London time with its zone.
pub fn london_utc(t: DateTime<Utc>) -> String {
    domain::london::to_local(t)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A protobuf timestamp as a UTC instant.
pub fn utc(ts: &prost_types::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts.seconds, u32::try_from(ts.nanos).ok()?)
}

/// A UTC instant as a protobuf timestamp.
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(0),
    }
}

/// The lower-case name of an enum value without its type prefix, e.g.
/// `INSPECTION_STATE_ON_SITE` → `on_site`.
pub fn enum_name(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Text or `-` when empty.
pub fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

/// A table printed with columns aligned on the widest cell.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<(String, usize)>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row of plain cells.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| (c.clone(), c.chars().count()))
                .collect(),
        );
    }

    /// Adds a row whose cells may hold colour codes; `widths` are their visible widths.
    pub fn styled_row(&mut self, cells: Vec<(String, usize)>) {
        self.rows.push(cells);
    }

    /// Writes the table.
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, (_, w)) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(*w);
                }
            }
        }
        let line = |cells: Vec<(&str, usize)>| -> String {
            let last = cells.len().saturating_sub(1);
            let mut s = String::new();
            for (i, (text, w)) in cells.into_iter().enumerate() {
                s.push_str(text);
                if i < last {
                    s.push_str(&" ".repeat(widths[i].saturating_sub(w) + 2));
                }
            }
            s
        };
        writeln!(
            out,
            "{}",
            line(
                self.headers
                    .iter()
                    .map(|h| (h.as_str(), h.chars().count()))
                    .collect()
            )
        )?;
        for row in &self.rows {
            writeln!(
                out,
                "{}",
                line(row.iter().map(|(t, w)| (t.as_str(), *w)).collect())
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r04_instants_are_shown_in_london_time_with_the_zone() {
        let winter = DateTime::parse_from_rfc3339("2027-01-04T09:31:00Z").unwrap();
        assert_eq!(london_utc(winter.to_utc()), "Mon 2027-01-04 09:31 GMT");
        let summer = DateTime::parse_from_rfc3339("2027-03-31T08:00:00Z").unwrap();
        assert_eq!(london_utc(summer.to_utc()), "Wed 2027-03-31 09:00 BST");
    }

    #[test]
    fn tables_align_on_the_widest_cell() {
        let mut t = Table::new(&["a", "bb"]);
        t.row(vec!["xxx".into(), "y".into()]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a    bb\nxxx  y\n");
    }

    #[test]
    fn responses_print_as_canonical_json_with_proto_names() {
        let r = proto::pb::CommandResponse {
            inspection_id: "i".into(),
            new_version: 3,
            event_ids: vec!["e".into()],
            cursor: "c".into(),
        };
        let v = proto_json(&r, "ofsted.inspections.v1.CommandResponse").unwrap();
        assert_eq!(v["new_version"], 3);
        assert_eq!(v["inspection_id"], "i");
    }
}
