//! A revised structure set beside the consulted one: which bodies are new,
//! changed (and in what) or removed, and which links came and went. Pure:
//! rows in, comparison out.

use std::collections::{HashMap, HashSet};

use crate::db::outcome::{VersionBody, VersionLink};
use crate::db::structure::{Body, BodyLink};
use crate::domain::{BodyId, BodyStatus, ChangeAction, Relation, VersionBodyId, VersionLinkId};
use crate::export::diagram::{DiagramBody, DiagramLink};

/// A body as the comparison shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComparedBody {
    /// The fragment of its description on the page (`revised-body-3`).
    pub anchor: String,
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    pub role: String,
    pub membership: String,
    pub meets: String,
    /// None when unchanged.
    pub mark: Option<ChangeAction>,
    /// For a changed body: what changed, in words ("membership", "role").
    pub changed: Vec<&'static str>,
    /// The version body it is (none for a removed consulted body).
    #[serde(skip)]
    pub version_body: Option<VersionBodyId>,
}

/// A link as the comparison shows it, by index into the bodies.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComparedLink {
    pub from: usize,
    pub to: usize,
    pub relation: Relation,
    /// "Positive Lives Partnership reports to Strategic Leadership Group".
    pub words: String,
    pub mark: Option<ChangeAction>,
    /// The version link it is (none for a removed consulted link).
    #[serde(skip)]
    pub version_link: Option<VersionLinkId>,
}

/// The revised structure beside the consulted one.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Comparison {
    /// The revised structure's bodies in order, then the consulted bodies
    /// it removed.
    pub bodies: Vec<ComparedBody>,
    /// The revised structure's links, then the consulted links it removed
    /// (between bodies both still drawn).
    pub links: Vec<ComparedLink>,
}

impl Comparison {
    /// What the diagram draws: every body (removed ones marked) and the
    /// links the revised structure has.
    pub fn diagram(&self) -> (Vec<DiagramBody>, Vec<DiagramLink>) {
        let bodies = self
            .bodies
            .iter()
            .map(|b| DiagramBody {
                anchor: b.anchor.clone(),
                name: b.name.clone(),
                short_name: b.short_name.clone(),
                status: b.status,
                mark: b.mark,
            })
            .collect();
        let links = self
            .links
            .iter()
            .filter(|l| l.mark != Some(ChangeAction::Removed))
            .map(|l| DiagramLink {
                from: l.from,
                to: l.to,
                relation: l.relation,
            })
            .collect();
        (bodies, links)
    }

    /// Whether anything differs from the consulted structure.
    pub fn any_change(&self) -> bool {
        self.bodies.iter().any(|b| b.mark.is_some()) || self.links.iter().any(|l| l.mark.is_some())
    }
}

/// A body's identity across versions: the consulted body it carries on, or
/// itself when new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Identity {
    Consulted(BodyId),
    New(VersionBodyId),
}

fn identity(b: &VersionBody) -> Identity {
    b.consulted_body_id
        .map_or(Identity::New(b.id), Identity::Consulted)
}

/// What differs between a consulted body and its revision, in words.
fn differences(before: &Body, after: &VersionBody) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if before.name != after.name || before.short_name != after.short_name {
        changed.push("name");
    }
    if before.status != after.status {
        changed.push("status");
    }
    if before.role != after.role {
        changed.push("role");
    }
    if before.membership != after.membership {
        changed.push("membership");
    }
    if before.meets != after.meets {
        changed.push("meetings");
    }
    changed
}

/// Compares revised `bodies`/`links` with the `consulted` structure.
pub fn compare(
    consulted: (&[Body], &[BodyLink]),
    revised: (&[VersionBody], &[VersionLink]),
) -> Comparison {
    let (consulted_bodies, consulted_links) = consulted;
    let (bodies, links) = revised;
    let before: HashMap<BodyId, &Body> = consulted_bodies.iter().map(|b| (b.id, b)).collect();
    let mut out = Comparison::default();
    let mut index: HashMap<Identity, usize> = HashMap::new();
    let mut by_version: HashMap<VersionBodyId, usize> = HashMap::new();
    for b in bodies {
        let (mark, changed) = match b.consulted_body_id.and_then(|id| before.get(&id)) {
            None => (Some(ChangeAction::Added), Vec::new()),
            Some(old) => {
                let changed = differences(old, b);
                let mark = (!changed.is_empty()).then_some(ChangeAction::Changed);
                (mark, changed)
            }
        };
        index.insert(identity(b), out.bodies.len());
        by_version.insert(b.id, out.bodies.len());
        out.bodies.push(ComparedBody {
            anchor: format!("revised-body-{}", b.id),
            name: b.name.clone(),
            short_name: b.short_name.clone(),
            status: b.status,
            role: b.role.clone(),
            membership: b.membership.clone(),
            meets: b.meets.clone(),
            mark,
            changed,
            version_body: Some(b.id),
        });
    }
    for old in consulted_bodies {
        if index.contains_key(&Identity::Consulted(old.id)) {
            continue;
        }
        index.insert(Identity::Consulted(old.id), out.bodies.len());
        out.bodies.push(ComparedBody {
            anchor: format!("removed-body-{}", old.id),
            name: old.name.clone(),
            short_name: old.short_name.clone(),
            status: old.status,
            role: old.role.clone(),
            membership: old.membership.clone(),
            meets: old.meets.clone(),
            mark: Some(ChangeAction::Removed),
            changed: Vec::new(),
            version_body: None,
        });
    }
    let key = |from: Identity, to: Identity, relation: Relation| (from, to, relation);
    let consulted_keys: HashSet<_> = consulted_links
        .iter()
        .map(|l| {
            key(
                Identity::Consulted(l.from_body_id),
                Identity::Consulted(l.to_body_id),
                l.relation,
            )
        })
        .collect();
    let identity_of: HashMap<VersionBodyId, Identity> =
        bodies.iter().map(|b| (b.id, identity(b))).collect();
    let mut revised_keys = HashSet::new();
    for l in links {
        let (Some(&from), Some(&to)) = (
            by_version.get(&l.from_body_id),
            by_version.get(&l.to_body_id),
        ) else {
            continue;
        };
        let k = key(
            identity_of[&l.from_body_id],
            identity_of[&l.to_body_id],
            l.relation,
        );
        let mark = (!consulted_keys.contains(&k)).then_some(ChangeAction::Added);
        revised_keys.insert(k);
        let mut shown = link(&out.bodies, (from, to, l.relation), mark);
        shown.version_link = Some(l.id);
        out.links.push(shown);
    }
    for l in consulted_links {
        let (from, to) = (
            Identity::Consulted(l.from_body_id),
            Identity::Consulted(l.to_body_id),
        );
        if revised_keys.contains(&key(from, to, l.relation)) {
            continue;
        }
        let (Some(&from), Some(&to)) = (index.get(&from), index.get(&to)) else {
            continue;
        };
        out.links.push(link(
            &out.bodies,
            (from, to, l.relation),
            Some(ChangeAction::Removed),
        ));
    }
    out
}

fn link(
    bodies: &[ComparedBody],
    (from, to, relation): (usize, usize, Relation),
    mark: Option<ChangeAction>,
) -> ComparedLink {
    ComparedLink {
        from,
        to,
        relation,
        words: format!(
            "{} {} {}",
            bodies[from].name,
            relation.label(),
            bodies[to].name
        ),
        mark,
        version_link: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BodyLinkId, ConsultationId, StructureVersionId};

    fn consulted(id: i64, name: &str) -> Body {
        Body {
            id: BodyId(id),
            consultation_id: ConsultationId(1),
            position: id as i32,
            name: name.into(),
            short_name: None,
            status: BodyStatus::Proposed,
            role: "Leads".into(),
            membership: "Leaders".into(),
            meets: "Twice a year".into(),
        }
    }

    fn revised(id: i64, from: Option<&Body>, name: &str) -> VersionBody {
        VersionBody {
            id: VersionBodyId(id),
            version_id: StructureVersionId(1),
            consulted_body_id: from.map(|b| b.id),
            position: id as i32,
            name: name.into(),
            short_name: None,
            status: BodyStatus::Proposed,
            role: "Leads".into(),
            membership: "Leaders".into(),
            meets: "Twice a year".into(),
        }
    }

    #[test]
    fn marks_added_changed_removed_and_unchanged_bodies_and_links() {
        let (slg, csp, ppp) = (
            consulted(1, "SLG"),
            consulted(2, "CSP"),
            consulted(3, "PPP"),
        );
        let old_links = vec![
            BodyLink {
                id: BodyLinkId(1),
                consultation_id: ConsultationId(1),
                from_body_id: BodyId(2),
                to_body_id: BodyId(3),
                relation: Relation::Informs,
                note: None,
            },
            BodyLink {
                id: BodyLinkId(2),
                consultation_id: ConsultationId(1),
                from_body_id: BodyId(3),
                to_body_id: BodyId(1),
                relation: Relation::ReportsTo,
                note: None,
            },
        ];
        let mut new_slg = revised(10, Some(&slg), "SLG");
        new_slg.membership = "Leaders, police authority".into();
        let new_ppp = revised(11, Some(&ppp), "PPP");
        let fire = revised(12, None, "Fire and Rescue");
        let new_links = vec![
            VersionLink {
                id: VersionLinkId(1),
                version_id: StructureVersionId(1),
                from_body_id: VersionBodyId(11),
                to_body_id: VersionBodyId(10),
                relation: Relation::ReportsTo,
                note: None,
            },
            VersionLink {
                id: VersionLinkId(2),
                version_id: StructureVersionId(1),
                from_body_id: VersionBodyId(12),
                to_body_id: VersionBodyId(10),
                relation: Relation::Informs,
                note: None,
            },
        ];
        let c = compare(
            (&[slg, csp, ppp], &old_links),
            (&[new_slg, new_ppp, fire], &new_links),
        );
        let marks: Vec<(&str, Option<ChangeAction>)> =
            c.bodies.iter().map(|b| (b.name.as_str(), b.mark)).collect();
        assert_eq!(
            marks,
            vec![
                ("SLG", Some(ChangeAction::Changed)),
                ("PPP", None),
                ("Fire and Rescue", Some(ChangeAction::Added)),
                ("CSP", Some(ChangeAction::Removed)),
            ]
        );
        assert_eq!(c.bodies[0].changed, vec!["membership"]);
        let links: Vec<(&str, Option<ChangeAction>)> =
            c.links.iter().map(|l| (l.words.as_str(), l.mark)).collect();
        assert_eq!(
            links,
            vec![
                ("PPP reports to SLG", None),
                ("Fire and Rescue informs SLG", Some(ChangeAction::Added)),
                ("CSP informs PPP", Some(ChangeAction::Removed)),
            ]
        );
        let (bodies, drawn) = c.diagram();
        assert_eq!(bodies.len(), 4, "removed bodies are drawn, marked");
        assert_eq!(drawn.len(), 2, "removed links are not drawn");
        assert!(c.any_change());
    }
}
