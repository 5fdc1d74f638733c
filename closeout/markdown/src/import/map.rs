//! The found items mapped onto closeout.toml's model: the risk tables joined into one
//! register (a later row wins), the drift taxonomy joined into the tracks, list-form risks
//! added, risk packet cells resolved to packet ids, debt linked to blockers and to what it
//! covers, required tests named by gate id. What cannot be mapped is reported, never
//! dropped. Pure.

use super::plan::Found;
use super::{risks, Gate, Imported, Row, Source, Unmapped};
use crate::model::Risk;

/// The drift classification of each track, by name; a classification without a track is
/// reported.
pub(super) fn join_drift(f: &mut Found, plan: &Source, out: &mut Imported) {
    // Join the drift table into the tracks by name.
    for track in &mut f.tracks {
        let name =
            track.fields.iter().find(|(k, _)| *k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
        match f.drift.remove(&name) {
            Some((class, notes, _)) => {
                track.fields.push(("classification", class));
                if !notes.is_empty() {
                    track.fields.push(("notes", notes));
                }
            }
            None => track.notes.push(format!("no drift classification for track `{name}`")),
        }
    }
    for (name, (_, _, line)) in std::mem::take(&mut f.drift) {
        out.unmapped.push(Unmapped {
            file: plan.path.into(),
            line,
            what: format!("drift classification of `{name}`"),
            why: "no row of the track status index has that name".into(),
        });
    }
}

/// The risk register from its tables, read in order (the plan's, then the tracker's, each
/// top to bottom), as a reader takes a register restated later ("Residual Risks" then
/// "Residual Risks (updated)"): a later table's row replaces the earlier row with the same
/// id, in the earlier row's place; rows only in an earlier table stay. The latest table is
/// the register's region, and every earlier table stays as written, unwrapped, as the
/// register's history (its candidate `superseded_by` the latest). The risks only an
/// earlier table shows are `form = "earlier-table"`, which the region does not show, so the
/// region reproduces the latest table as it stands. (A latest table without an id column
/// cannot be a region: then no table is, and no risk is hidden from one.)
pub(super) fn register(f: &mut Found, out: &mut Imported) {
    let tables = std::mem::take(&mut f.risk_tables);
    let Some(latest) = tables.last().map(|t| (t.at.clone(), t.wrappable)) else { return };
    let last = tables.len() - 1;
    for (n, table) in tables.into_iter().enumerate() {
        // Ids this table repeats replace the earlier tables' rows; within one table a
        // repeated id stays repeated (and fails as the duplicate it is).
        let earlier = f.risks.len();
        for mut row in table.rows {
            if latest.1 && n < last {
                row.fields.push(("form", Risk::FORM_EARLIER_TABLE.into()));
            }
            let id = row.get("id").map(str::to_string);
            let replaces =
                id.and_then(|id| f.risks[..earlier].iter().position(|r| r.get("id") == Some(id.as_str())));
            match replaces {
                Some(i) => f.risks[i] = row,
                None => f.risks.push(row),
            }
        }
    }
    let (latest, _) = latest;
    let at = format!("{}:{}-{}", latest.file, latest.first, latest.last);
    for c in out.candidates.iter_mut().filter(|c| c.kind == "risks" && **c != latest) {
        c.superseded_by = Some(at.clone());
    }
}

/// Risks kept as numbered lists, in the plan and the tracker (ids not already taken), each
/// with the document it is in.
pub(super) fn list_risks(f: &mut Found, lists: Vec<(&str, risks::ListRisk)>) {
    for (file, r) in lists {
        if f.risks.iter().any(|x| x.get("id") == Some(r.id.as_str())) {
            continue;
        }
        let mut fields = vec![("id", r.id.clone()), ("description", r.description.clone())];
        fields.extend(r.severity.map(|s| ("severity", s)));
        fields.extend(r.mitigation.map(|m| ("mitigation", m)));
        fields.push(("form", Risk::FORM_LIST.into()));
        f.risks.push(Row { file: file.into(), line: r.line, fields, ..Row::default() });
    }
}

/// Each risk's packet cell as packet ids; a cell naming no packet of the program is reported.
pub(super) fn risk_packets(f: &mut Found, out: &mut Imported) {
    // "All packets, 08" means every packet; an entry that names no packet is reported.
    let packets = &f.packets;
    let known: Vec<String> = packets.iter().map(|p| p.id.clone()).collect();
    for r in f.risks.iter_mut().filter(|r| r.rejected.is_none()) {
        let Some(i) = r.fields.iter().position(|(k, _)| *k == "packets") else {
            // No packet column: the packets its mitigation names ("HOP-03 wires …").
            let mitigation = r.get("mitigation").unwrap_or_default().replace(['(', ')', ',', ':'], " ");
            let named = super::ids::heading_packets(&mitigation, &known);
            if !named.is_empty() {
                r.fields.push(("packets", named.join("\n")));
            }
            continue;
        };
        let v = r.fields[i].1.clone();
        // `Packet 01 / Packet 02`, `01, 02`, `HOP-03`: the packet ids the cell names.
        let ids: Vec<String> = if v.to_lowercase().contains("all packets") {
            packets.iter().map(|p| p.id.clone()).collect()
        } else {
            crate::docs::layout::packet_refs(&v).into_iter().map(|r| resolve(&r, &known)).collect()
        };
        let (known, unknown): (Vec<String>, Vec<String>) =
            ids.into_iter().partition(|i| packets.iter().any(|p| p.id == *i));
        if !unknown.is_empty() {
            out.cells_mapped -= 1;
            out.unmapped.push(Unmapped {
                file: r.file.clone(),
                line: r.line,
                what: format!("risk cell `{v}` (column packets)"),
                why: format!("{} name no packet of the plan", unknown.join(", ")),
            });
        }
        if known.is_empty() {
            r.fields.remove(i);
        } else {
            r.fields[i].1 = known.join("\n");
        }
    }
}

/// A packet reference as the program's id: the same id in any case, or, where the packets
/// are plain numbers (`01`), a prefixed alias of one (`CP-01` for packet `01`, as plans
/// that number packets plainly still write them with the program's prefix).
fn resolve(reference: &str, known: &[String]) -> String {
    if let Some(id) = known.iter().find(|k| k.eq_ignore_ascii_case(reference)) {
        return id.clone();
    }
    let plain = !known.is_empty() && known.iter().all(|k| k.chars().all(|c| c.is_ascii_digit()));
    let number = reference.rsplit_once('-').map_or("", |(_, n)| n);
    match known.iter().find(|k| plain && !number.is_empty() && k.as_str() == number) {
        Some(id) => id.clone(),
        None => reference.to_string(),
    }
}

/// Pre-release blockers and traceability into the ledger (`blocks_release`, `covers`).
pub(super) fn link_ledger(f: &mut Found) {
    // Blockers and traceability into the ledger.
    let (packets, tracks) = (&f.packets, &f.tracks);
    for d in &mut f.debts {
        let id = d.fields.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.clone()).unwrap_or_default();
        if f.blockers.contains(&id) {
            d.fields.push(("blocks_release", "true".into()));
        }
        let mut covers: Vec<String> = Vec::new();
        let source =
            d.fields.iter().find(|(k, _)| *k == "source").map(|(_, v)| v.clone()).unwrap_or_default();
        if let Some(p) = source.strip_prefix("Packet ").and_then(|r| r.split_whitespace().next()) {
            if packets.iter().any(|x| x.id == p) {
                covers.push(format!("packet:{p}"));
            }
        }
        for (subject, ids, _) in &f.traceability {
            let names_drift =
                !f.drift_section.is_empty() && subject.to_lowercase().contains(&f.drift_section);
            if ids.contains(&id) && subject.contains("DEFERRED") && names_drift {
                // The deferred item's own track, named in its description, else every
                // deferred track of the plan.
                let description = d
                    .fields
                    .iter()
                    .find(|(k, _)| *k == "description")
                    .map(|(_, v)| v.to_lowercase())
                    .unwrap_or_default();
                let own = tracks.iter().find(|t| {
                    let name = t
                        .fields
                        .iter()
                        .find(|(k, _)| *k == "name")
                        .map(|(_, v)| v.to_lowercase())
                        .unwrap_or_default();
                    name.split_whitespace().next().is_some_and(|w| description.starts_with(w))
                });
                let targets: Vec<String> = match own {
                    Some(t) => vec![t
                        .fields
                        .iter()
                        .find(|(k, _)| *k == "id")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()],
                    None => f
                        .tracks
                        .iter()
                        .filter(|t| t.fields.iter().any(|(k, v)| *k == "classification" && v == "DEFERRED"))
                        .filter_map(|t| t.fields.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.clone()))
                        .collect(),
                };
                covers.extend(targets.into_iter().map(|t| format!("track:{t}")));
            }
        }
        covers.dedup();
        if !covers.is_empty() {
            d.fields.push(("covers", covers.join("\n")));
        }
    }
}

/// Packets' tests refer to gates by id when the command is a gate's.
pub(super) fn tests_to_gates(f: &mut Found, gates: &[Gate]) {
    // Packets' tests refer to gates by id when the command is a gate's.
    for p in &mut f.packets {
        for t in &mut p.tests {
            if let Some(g) = gates.iter().find(|g| g.run == *t) {
                *t = g.id.clone();
            } else if !t.chars().any(char::is_whitespace) {
                // A one-word command would read as a gate id; say it is a command.
                *t = format!("sh -c {t}");
            }
        }
    }
}
