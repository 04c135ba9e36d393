//! The group's workspace over real HTTP: who may see and do what (a walk
//! over every staff route as each role), splitting and tagging issues,
//! triage by theme, drafting with "As above" and optimistic locking, the
//! audit trail, the analysis job, and reproducing the seed's 24 answers.

use diesel::prelude::*;
use sounding::db;
use sounding::domain::*;

use crate::app_test;
use crate::helpers::{Page, TestApp, fields};

const SLUG: &str = "cheltenham-2011";

/// GCC's letter of 2011 as one text, the way an officer types in a letter.
const LETTER: &str = "Dear Sir or Madam,\n\nConsultation on the new partnership structures\n\n1. GCC fully supports the vision and objectives for its new partnership structures.\n\n2. Will the Positive Lives Partnership commission the Positive Participation Partnership or is Positive Participation independent?\n\n3. How will cross-cutting issues be dealt with? For example, alcohol misuse touches health, crime and the economy.\n\nYours faithfully,\n\nA. Officer\nGloucestershire County Council";

fn consultation(app: &TestApp) -> db::consultations::Consultation {
    let mut conn = app.db.connect();
    db::consultations::by_slug(&mut conn, SLUG)
        .expect("query")
        .expect("found")
}

fn user_id(app: &TestApp, email: &str) -> UserId {
    let mut conn = app.db.connect();
    db::users::by_email(&mut conn, email)
        .expect("query")
        .expect("user")
        .id
}

/// The consultation names its group as who may agree responses (by
/// default only officers may).
fn group_signs_off(app: &TestApp) {
    let mut conn = app.db.connect();
    db::consultations::set_sign_off(
        &mut conn,
        consultation(app).id,
        sounding::domain::SignOff::Group,
    )
    .expect("sign-off");
}

fn assign(app: &TestApp, email: &str) {
    let mut conn = app.db.connect();
    db::members::assign(&mut conn, consultation(app).id, user_id(app, email)).expect("assign");
}

/// Adds a response that came as one letter, with no issues yet.
fn add_letter(app: &TestApp, reference: &str) -> ResponseId {
    let c = consultation(app);
    let mut conn = app.db.connect();
    let now = chrono::Utc::now().naive_utc();
    let id = db::responses::insert(
        &mut conn,
        &db::responses::NewResponse {
            consultation_id: c.id,
            reference,
            channel: Channel::Letter,
            received_at: now,
            publication: Publication::WithNames,
            status: ResponseStatus::Received,
            content: LETTER,
            created_at: now,
            updated_at: now,
            submission_key: None,
            edit_salt: None,
            submission_hash: None,
            tell_me_outcome: false,
            received_time_known: true,
        },
    )
    .expect("response");
    let gcc = db::consultees::of_consultation(&mut conn, c.id)
        .expect("consultees")
        .into_iter()
        .find(|x| x.short_name.as_deref() == Some("GCC"))
        .expect("GCC");
    db::responses::add_consultee(&mut conn, id, gcc.id, 1).expect("consultee");
    id
}

fn issues_of(app: &TestApp, response: ResponseId) -> Vec<db::issues::Issue> {
    db::issues::of_response(&mut app.db.connect(), response).expect("issues")
}

pub fn audit_actions(app: &TestApp, entity: &str, id: i64) -> Vec<String> {
    db::audit::for_entity(&mut app.db.connect(), entity, id)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

app_test! {
    async fn every_staff_route_answers_each_role_as_it_should(app) {
        app.load_fixture(SLUG);
        let c = consultation(&app);
        let anonymous = app.browser();
        let admin = app.signed_in("admin@example.gov.uk", Role::Admin).await;
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        let outsider = app.signed_in("outsider@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        let mut conn = app.db.connect();
        let issue = db::issues::of_consultation(&mut conn, c.id).expect("issues")[0].id.0;
        let theme = db::themes::insert(&mut conn, &db::themes::NewTheme { consultation_id: c.id, label: "Walk", origin: ThemeOrigin::Officer, officer_named: true, pinned: false, position: 0, created_at: chrono::Utc::now().naive_utc() }).expect("theme").0;
        let section = db::document::sections_of(&mut conn, c.id).expect("sections")[0].id.0;
        let question = db::document::questions_of(&mut conn, c.id).expect("questions")[0].id.0;
        let body = db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0].id.0;
        let link = db::structure::links_of(&mut conn, c.id).expect("links")[0].id.0;
        let version = db::outcome::versions_of(&mut conn, c.id).expect("versions")[0].id;
        let version_body = db::outcome::bodies_of(&mut conn, version).expect("revised bodies")[0].id.0;
        let version_link = db::outcome::links_of(&mut conn, version).expect("revised links")[0].id.0;
        let consultee = db::consultees::of_consultation(&mut conn, c.id).expect("consultees")[0].id.0;
        let user = user_id(&app, "outsider@example.gov.uk").0;
        let scope = sounding::service::access::open(&mut conn, &sounding::service::access::Caller::System("test"), SLUG).expect("scope");
        let upload = sounding::service::import::upload(&mut conn, &scope, "walk.csv", b"Name,Comments\r\nAnn,Hello\r\n", chrono::Utc::now()).expect("upload");
        let fill = |p: &str| p.replace("{slug}", SLUG).replace("{reference}", "CHL-0001").replace("{issue}", &issue.to_string())
            .replace("{theme}", &theme.to_string()).replace("{section}", &section.to_string()).replace("{question}", &question.to_string())
            .replace("{body}", &body.to_string()).replace("{link}", &link.to_string()).replace("{user}", &user.to_string()).replace("{upload}", &upload.to_string())
            .replace("{version_body}", &version_body.to_string()).replace("{version_link}", &version_link.to_string())
            .replace("{consultee}", &consultee.to_string());

        // Who may use a route: admins, officers, group members of the
        // consultation. Everyone else signed in gets 403; anonymous 303.
        const ALL: &str = "admin officer member outsider";
        const RUNS: &str = "admin officer";
        const WORKS: &str = "admin officer member";
        const ADMIN: &str = "admin";
        #[rustfmt::skip]
        let routes: &[(&str, &str, &str)] = &[
            ("GET", "/staff", ALL),
            ("GET", "/staff/consultations/new", RUNS),
            ("POST", "/staff/consultations", RUNS),
            ("GET", "/staff/consultations/{slug}", RUNS),
            ("POST", "/staff/consultations/{slug}", RUNS),
            ("POST", "/staff/consultations/{slug}/status", RUNS),
            ("GET", "/staff/consultations/{slug}/publish", RUNS),
            ("POST", "/staff/consultations/{slug}/publish", RUNS),
            ("POST", "/staff/consultations/{slug}/sections", RUNS),
            ("POST", "/staff/consultations/{slug}/sections/{section}", RUNS),
            ("POST", "/staff/consultations/{slug}/sections/{section}/delete", RUNS),
            ("GET", "/staff/consultations/{slug}/sections/{section}/delete", RUNS),
            ("POST", "/staff/consultations/{slug}/questions", RUNS),
            ("POST", "/staff/consultations/{slug}/questions/{question}", RUNS),
            ("POST", "/staff/consultations/{slug}/questions/{question}/delete", RUNS),
            ("GET", "/staff/consultations/{slug}/questions/{question}/delete", RUNS),
            ("POST", "/staff/consultations/{slug}/bodies", RUNS),
            ("POST", "/staff/consultations/{slug}/bodies/{body}", RUNS),
            ("POST", "/staff/consultations/{slug}/bodies/{body}/delete", RUNS),
            ("GET", "/staff/consultations/{slug}/bodies/{body}/delete", RUNS),
            ("POST", "/staff/consultations/{slug}/links", RUNS),
            ("POST", "/staff/consultations/{slug}/links/{link}/delete", RUNS),
            ("GET", "/staff/consultations/{slug}/links/{link}/delete", RUNS),
            ("POST", "/staff/consultations/{slug}/summary-with-contacts.csv", RUNS),
            ("GET", "/staff/consultations/{slug}/outcome", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/versions", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/bodies", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/bodies/{version_body}", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/bodies/{version_body}/remove", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/links", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/links/{version_link}/remove", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/report", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/publish", RUNS),
            ("POST", "/staff/consultations/{slug}/outcome/withdraw", RUNS),
            ("GET", "/staff/consultations/{slug}/pack.docx", RUNS),
            ("GET", "/staff/consultations/{slug}/pack.html", RUNS),
            ("POST", "/staff/consultations/{slug}/responses/{reference}/review", RUNS),
            ("GET", "/staff/users", ADMIN),
            ("POST", "/staff/users", ADMIN),
            ("POST", "/staff/users/{user}/disabled", ADMIN),
            ("GET", "/staff/consultations/{slug}/workspace", WORKS),
            ("GET", "/staff/consultations/{slug}/group", WORKS),
            ("GET", "/staff/consultations/{slug}/consultees", WORKS),
            ("POST", "/staff/consultations/{slug}/consultees/{consultee}", RUNS),
            ("GET", "/staff/consultations/{slug}/consultees/{consultee}/merge", RUNS),
            ("POST", "/staff/consultations/{slug}/consultees/{consultee}/merge", RUNS),
            ("POST", "/staff/consultations/{slug}/group", RUNS),
            ("GET", "/staff/consultations/{slug}/inbox", WORKS),
            ("GET", "/staff/consultations/{slug}/responses/import", RUNS),
            ("POST", "/staff/consultations/{slug}/responses/import", RUNS),
            ("GET", "/staff/consultations/{slug}/responses/import/{upload}", RUNS),
            ("POST", "/staff/consultations/{slug}/responses/import/{upload}", RUNS),
            ("GET", "/staff/consultations/{slug}/inbox/{reference}", WORKS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/accept", WORKS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/issues", WORKS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/redact", RUNS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/checked", RUNS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/work", WORKS),
            ("POST", "/staff/consultations/{slug}/inbox/{reference}/bulk", WORKS),
            ("GET", "/staff/consultations/{slug}/inbox/{reference}/bulk", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}/merge-next", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}/split", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}/remove", WORKS),
            ("GET", "/staff/consultations/{slug}/issues/{issue}/remove", WORKS),
            ("GET", "/staff/consultations/{slug}/issues/{issue}/draft", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}/draft", WORKS),
            ("POST", "/staff/consultations/{slug}/issues/{issue}/repeats", WORKS),
            ("GET", "/staff/consultations/{slug}/themes", WORKS),
            ("POST", "/staff/consultations/{slug}/themes", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/move", WORKS),
            ("GET", "/staff/consultations/{slug}/themes/{theme}", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/{theme}/rename", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/{theme}/pin", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/{theme}/assign", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/{theme}/merge", WORKS),
            ("GET", "/staff/consultations/{slug}/themes/{theme}/merge", WORKS),
            ("POST", "/staff/consultations/{slug}/themes/{theme}/split", WORKS),
            ("GET", "/staff/consultations/{slug}/analysis", WORKS),
            ("POST", "/staff/consultations/{slug}/analysis", WORKS),
        ];
        // The walk covers every staff route in the URL map (sign-out aside).
        let mapped: Vec<(String, String)> = sounding::web::ROUTES.iter()
            .filter(|(_, path, _)| path.starts_with("/staff"))
            .map(|(method, path, _)| (method.to_uppercase(), path.to_string()))
            .collect();
        assert_eq!(mapped.len(), routes.len(), "a staff route is missing from the walk");
        for (method, pattern, _) in routes {
            assert!(mapped.iter().any(|(m, p)| m == method && p == pattern), "{method} {pattern} is in the URL map");
        }

        // No GET route changes anything: the audit log and the main tables
        // are the same after every GET as each role.
        let state = || {
            use db::schema::*;
            let mut conn = app.db.connect();
            let count = |n: QueryResult<i64>| n.expect("count");
            [
                count(audit_log::table.count().get_result(&mut conn)),
                count(responses::table.count().get_result(&mut conn)),
                count(issues::table.count().get_result(&mut conn)),
                count(themes::table.count().get_result(&mut conn)),
                count(group_responses::table.count().get_result(&mut conn)),
                count(analysis_runs::table.count().get_result(&mut conn)),
            ]
        };
        let before = state();
        // The bulk removal's question needs a selection to ask about.
        let at = |method: &str, pattern: &str| match (method, pattern.ends_with("/bulk")) {
            ("GET", true) => format!("{}?action=remove&issues={issue}", fill(pattern)),
            _ => fill(pattern),
        };
        for (_, pattern, _) in routes.iter().filter(|r| r.0 == "GET") {
            for browser in [&admin, &member] {
                let _ = browser.get(&at("GET", pattern)).await;
            }
        }
        assert_eq!(state(), before, "a GET changed something");
        let people = [("admin", &admin), ("officer", &officer), ("member", &member), ("outsider", &outsider)];
        for (method, pattern, allowed) in routes {
            let path = at(method, pattern);
            let page = if *method == "GET" { anonymous.get(&path).await } else { anonymous.post(&path, &fields(&[])).await };
            assert_eq!(page.status, 303, "anonymous {method} {path}");
            assert!(page.header("location").is_some_and(|l| l.starts_with("/sign-in")), "anonymous {method} {path} is sent to sign in");
            for (who, browser) in &people {
                let page = if *method == "GET" {
                    browser.get(&path).await
                } else {
                    let token = browser.get("/staff").await.input("csrf_token").expect("token");
                    browser.post(&path, &fields(&[("csrf_token", &token)])).await
                };
                if allowed.split(' ').any(|a| a == *who) {
                    if *method == "GET" {
                        assert_eq!(page.status, 200, "{who} {method} {path}: {}", page.body);
                    } else {
                        assert!(page.status != 403 && page.status < 500, "{who} {method} {path}: {} {}", page.status, page.body);
                    }
                } else {
                    assert_eq!(page.status, 403, "{who} {method} {path}");
                }
            }
        }
        // And a state change without the CSRF token is refused for everyone.
        let forged = officer.post(&fill("/staff/consultations/{slug}/themes"), &fields(&[("label", "Forged")])).await;
        assert_eq!(forged.status, 403);
    }

    async fn a_letter_is_split_into_its_points_then_edited_merged_and_split(app) {
        app.load_fixture(SLUG);
        let response = add_letter(&app, "CHL-0100");
        let browser = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        let page = browser.get("/staff/consultations/cheltenham-2011/inbox/CHL-0100").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("The splitter proposes these 3 points"), "{}", page.body);
        let accepted = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", "/staff/consultations/cheltenham-2011/inbox/CHL-0100/accept", &[]).await;
        assert_eq!(accepted.status, 303, "{}", accepted.body);
        let issues = issues_of(&app, response);
        let texts: Vec<&str> = issues.iter().map(|i| i.content.as_str()).collect();
        assert_eq!(texts, [
            "GCC fully supports the vision and objectives for its new partnership structures.",
            "Will the Positive Lives Partnership commission the Positive Participation Partnership or is Positive Participation independent?",
            "How will cross-cutting issues be dealt with? For example, alcohol misuse touches health, crime and the economy.",
        ], "greeting, heading and sign-off are not issues");
        assert_eq!(issues[1].kind, IssueKind::Question);

        // Edit the third: wording, kind, a section, a body and free tags.
        let c = consultation(&app);
        let mut conn = app.db.connect();
        let section = db::document::sections_of(&mut conn, c.id).expect("sections")[0].id;
        let body = db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0].id;
        let third = &issues[2];
        let edit_url = format!("/staff/consultations/cheltenham-2011/issues/{}", third.id.0);
        let saved = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &edit_url, &[
            ("version", &third.version.to_string()), ("content", "How will cross-cutting issues be dealt with?"), ("kind", "concern"),
            ("sections", &section.0.to_string()), ("bodies", &body.0.to_string()), ("tags", "cross-cutting, alcohol, cross-cutting"),
        ]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let edited = db::issues::by_id(&mut conn, third.id).expect("query").expect("issue");
        assert_eq!((edited.content.as_str(), edited.kind, edited.edited_by_officer), ("How will cross-cutting issues be dealt with?", IssueKind::Concern, true));
        assert_eq!(db::issues::structure_tags_of(&mut conn, third.id).expect("tags"), (vec![section], vec![body]));
        assert_eq!(db::issues::tags_of(&mut conn, third.id).expect("tags"), ["alcohol", "cross-cutting"]);

        // A stale edit (the version it was opened at) is refused and keeps the typed text.
        let stale = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &edit_url, &[
            ("version", &third.version.to_string()), ("content", "My late change"), ("kind", "comment"),
        ]).await;
        assert_eq!(stale.status, 409);
        assert!(stale.body.contains("Someone else changed this since you opened it"));
        assert!(stale.body.contains("My late change"), "the typed text is kept");

        // An empty issue is refused with the GOV.UK error summary.
        let empty = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &edit_url, &[("version", &edited.version.to_string()), ("content", " "), ("kind", "concern")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("There is a problem") && empty.body.contains("Enter the issue"), "{}", empty.body);

        // Merge the first two, then split them apart again.
        let merge = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &format!("/staff/consultations/cheltenham-2011/issues/{}/merge-next", issues[0].id.0), &[]).await;
        assert_eq!(merge.status, 303, "{}", merge.body);
        let merged = issues_of(&app, response);
        assert_eq!(merged.len(), 2);
        assert!(merged[0].content.contains("fully supports") && merged[0].content.contains("commission the Positive"));
        let parts = merged[0].content.replace("\n\n", "\r\n\r\n");
        let split = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &format!("/staff/consultations/cheltenham-2011/issues/{}/split", merged[0].id.0), &[
            ("version", &merged[0].version.to_string()), ("parts", &parts),
        ]).await;
        assert_eq!(split.status, 303, "{}", split.body);
        let again = issues_of(&app, response);
        assert_eq!(again.iter().map(|i| i.content.as_str()).collect::<Vec<_>>(), texts.iter().take(2).copied().chain(["How will cross-cutting issues be dealt with?"]).collect::<Vec<_>>());
        let one_part = browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", &format!("/staff/consultations/cheltenham-2011/issues/{}/split", again[0].id.0), &[
            ("version", &again[0].version.to_string()), ("parts", "Only one part"),
        ]).await;
        assert_eq!(one_part.status, 422);
        assert!(one_part.body.contains("at least two parts") && one_part.body.contains("Only one part"));

        // Every step is in the audit trail, and shown on the page.
        assert_eq!(audit_actions(&app, "issue", third.id.0), ["issue edited"]);
        assert!(audit_actions(&app, "issue", issues[0].id.0).starts_with(&["issues merged".to_string(), "issue split".to_string()]));
        assert!(audit_actions(&app, "response", response.0).contains(&"issues accepted from the splitter".to_string()));
        let page = browser.get("/staff/consultations/cheltenham-2011/inbox/CHL-0100").await;
        assert!(page.body.contains("issues accepted from the splitter") && page.body.contains("member@example.gov.uk"));
    }

    async fn themes_are_created_merged_renamed_pinned_and_issues_moved(app) {
        app.load_fixture(SLUG);
        let c = consultation(&app);
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let mut conn = app.db.connect();
        let issues = db::issues::of_consultation(&mut conn, c.id).expect("issues");
        let created = browser.submit("/staff/consultations/cheltenham-2011/themes", "/staff/consultations/cheltenham-2011/themes", &[("label", "Membership of the SLG")]).await;
        assert_eq!(created.status, 303, "{}", created.body);
        let other = browser.submit("/staff/consultations/cheltenham-2011/themes", "/staff/consultations/cheltenham-2011/themes", &[("label", "Police on the SLG")]).await;
        let theme_of = |page: &Page| page.header("location").and_then(|l| l.split('/').nth(5)).and_then(|id| id.split('?').next()).and_then(|id| id.parse::<i64>().ok()).expect("theme id");
        let (slg, police) = (theme_of(&created), theme_of(&other));
        let unnamed = browser.submit("/staff/consultations/cheltenham-2011/themes", "/staff/consultations/cheltenham-2011/themes", &[("label", "")]).await;
        assert_eq!(unnamed.status, 422);
        assert!(unnamed.body.contains("Enter the theme"));

        // Move two issues into each (the form works without JavaScript).
        let ids = |a: usize, b: usize| vec![("issues", issues[a].id.0.to_string()), ("issues", issues[b].id.0.to_string())];
        for (theme, pair) in [(slg, ids(0, 1)), (police, ids(2, 3))] {
            let mut form: Vec<(&str, &str)> = pair.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let to = theme.to_string();
            form.extend([("to", to.as_str()), ("from", "none")]);
            let moved = browser.submit("/staff/consultations/cheltenham-2011/themes/none", "/staff/consultations/cheltenham-2011/themes/move", &form).await;
            assert_eq!(moved.status, 303, "{}", moved.body);
        }
        let moved = db::issues::by_id(&mut conn, issues[0].id).expect("query").expect("issue");
        assert_eq!(moved.theme_id, Some(ThemeId(slg)));
        assert!(moved.theme_set_by_officer, "a moved issue stays where it was put");
        let nothing = browser.submit("/staff/consultations/cheltenham-2011/themes/none", "/staff/consultations/cheltenham-2011/themes/move", &[("to", &slg.to_string()), ("from", "none")]).await;
        assert_eq!(nothing.status, 422);
        assert!(nothing.body.contains("Select at least one issue"));

        // Merge "Police on the SLG" into "Membership of the SLG", then rename and pin.
        let merged = browser.submit(&format!("/staff/consultations/cheltenham-2011/themes/{police}"), &format!("/staff/consultations/cheltenham-2011/themes/{police}/merge"), &[("into", &slg.to_string()), ("confirm", "yes")]).await;
        assert_eq!(merged.status, 303, "{}", merged.body);
        assert!(db::themes::by_id(&mut conn, ThemeId(police)).expect("query").is_none());
        assert_eq!(db::issues::of_theme(&mut conn, ThemeId(slg)).expect("issues").len(), 4);
        browser.submit(&format!("/staff/consultations/cheltenham-2011/themes/{slg}"), &format!("/staff/consultations/cheltenham-2011/themes/{slg}/rename"), &[("label", "Who sits on the SLG")]).await;
        browser.submit(&format!("/staff/consultations/cheltenham-2011/themes/{slg}"), &format!("/staff/consultations/cheltenham-2011/themes/{slg}/pin"), &[("pinned", "true")]).await;
        let theme = db::themes::by_id(&mut conn, ThemeId(slg)).expect("query").expect("theme");
        assert_eq!((theme.label.as_str(), theme.officer_named, theme.pinned), ("Who sits on the SLG", true, true));

        // Split one issue out into a theme of its own.
        let split = browser.submit(&format!("/staff/consultations/cheltenham-2011/themes/{slg}"), &format!("/staff/consultations/cheltenham-2011/themes/{slg}/split"), &[("issues", &issues[3].id.0.to_string()), ("label", "Police authority")]).await;
        assert_eq!(split.status, 303, "{}", split.body);
        let new_theme = db::issues::by_id(&mut conn, issues[3].id).expect("query").expect("issue").theme_id.expect("in a theme");
        assert_eq!(db::themes::by_id(&mut conn, new_theme).expect("query").expect("theme").label, "Police authority");

        let page = browser.get("/staff/consultations/cheltenham-2011/themes").await;
        assert!(page.body.contains("Who sits on the SLG") && page.body.contains("Pinned") && page.body.contains("Police authority"));
        assert_eq!(audit_actions(&app, "theme", slg), ["theme created", "issues moved in", "theme merged in", "theme renamed", "theme pinned", "issue moved out", "theme split"]);
        assert_eq!(audit_actions(&app, "issue", issues[2].id.0), ["issue moved", "issue moved (themes merged)"]);
        let history = browser.get(&format!("/staff/consultations/cheltenham-2011/themes/{slg}")).await;
        assert!(history.body.contains("theme renamed") && history.body.contains("Who sits on the SLG"));

        // Each change returns to where it was made: a move to the issue
        // listed after those moved (or before, at the end), on the same
        // filter and page; a rename or pin to its form.
        let listed = |page: &Page| -> Vec<String> {
            page.body.match_indices(r#"id="issue-"#).map(|(at, _)| page.body[at + 10..].split('"').next().unwrap_or_default().to_string()).collect()
        };
        let theme_page = format!("/staff/consultations/cheltenham-2011/themes/{slg}");
        let order = listed(&browser.get(&theme_page).await);
        assert_eq!(order.len(), 3, "{order:?}");
        let move_out = |id: &str| [("issues", id.to_string()), ("to", "none".to_string()), ("from", slg.to_string()), ("show", "all".to_string()), ("page", "1".to_string())];
        let form = move_out(&order[0]);
        let first = browser.submit(&theme_page, "/staff/consultations/cheltenham-2011/themes/move", &form.iter().map(|(n, v)| (*n, v.as_str())).collect::<Vec<_>>()).await;
        assert_eq!(first.header("location"), Some(format!("{theme_page}?show=all&page=1&done=moved#issue-{}", order[1]).as_str()));
        let form = move_out(&order[2]);
        let last = browser.submit(&theme_page, "/staff/consultations/cheltenham-2011/themes/move", &form.iter().map(|(n, v)| (*n, v.as_str())).collect::<Vec<_>>()).await;
        assert_eq!(last.header("location"), Some(format!("{theme_page}?show=all&page=1&done=moved#issue-{}", order[1]).as_str()));
        let renamed = browser.submit(&theme_page, &format!("{theme_page}/rename"), &[("label", "Membership of the SLG")]).await;
        assert_eq!(renamed.header("location"), Some(format!("{theme_page}?done=renamed#rename").as_str()));
        let pinned = browser.submit(&theme_page, &format!("{theme_page}/pin"), &[("pinned", "false")]).await;
        assert_eq!(pinned.header("location"), Some(format!("{theme_page}?done=unpinned#pin").as_str()));
        let assigned = browser.submit(&theme_page, &format!("{theme_page}/assign"), &[("assigned_to", "")]).await;
        assert_eq!(assigned.header("location"), Some(format!("{theme_page}?done=assigned#assign").as_str()));
    }

    async fn drafting_as_above_and_agreeing_show_in_the_table(app) {
        app.load_fixture(SLUG);
        add_letter(&app, "CHL-0100");
        let browser = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        group_signs_off(&app);
        browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", "/staff/consultations/cheltenham-2011/inbox/CHL-0100/accept", &[]).await;
        let c = consultation(&app);
        let mut conn = app.db.connect();
        let all = db::issues::of_consultation(&mut conn, c.id).expect("issues");
        let (new_one, new_two) = (all[all.len() - 3].id.0, all[all.len() - 2].id.0);
        let first_written = all[1].id.0;
        let draft = |id: i64| format!("/staff/consultations/cheltenham-2011/issues/{id}/draft");

        // A written response needs words; the refusal keeps what was chosen.
        let empty = browser.submit(&draft(new_one), &draft(new_one), &[("kind", "written"), ("status", "draft"), ("content", "")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("Enter the group’s response"));
        let written = browser.submit(&draft(new_one), &draft(new_one), &[("kind", "written"), ("status", "draft"), ("content", "The group welcomes the support.")]).await;
        assert_eq!(written.status, 303, "{}", written.body);
        let agreed = browser.submit(&draft(new_one), &draft(new_one), &[("version", "1"), ("kind", "written"), ("status", "agreed"), ("content", "The group welcomes GCC’s support.")]).await;
        assert_eq!(agreed.status, 303, "{}", agreed.body);

        // "As above" with no wording of its own shows the linked answer.
        let page = browser.get(&draft(new_two)).await;
        assert!(page.body.contains(&format!("<option value=\"{first_written}\"")), "earlier answers are offered");
        assert!(page.body.contains("CHL-0001/1: "), "named by reference and point");
        let bare = browser.submit(&draft(new_two), &draft(new_two), &[("kind", "as_above"), ("same_as", &first_written.to_string()), ("status", "agreed"), ("content", "")]).await;
        assert_eq!(bare.status, 303, "{}", bare.body);
        let linked = db::group_responses::for_issue(&mut conn, all[1].id).expect("query").expect("answer").content.expect("wording");
        let self_link = browser.submit(&draft(new_one), &draft(new_one), &[("version", "2"), ("kind", "as_above"), ("same_as", &new_one.to_string()), ("status", "draft")]).await;
        assert_eq!(self_link.status, 422);
        assert!(self_link.body.contains("cannot be “As above” itself"));

        let csv = app.get("/consultations/cheltenham-2011/summary.csv").await.body;
        assert!(csv.contains("The group welcomes GCC’s support."), "{csv}");
        assert!(csv.matches(linked.as_str()).count() >= 2, "the bare As above shows the linked text");
        assert_eq!(audit_actions(&app, "issue", new_one), ["group response drafted", "group response agreed"]);
    }

    async fn two_people_saving_the_same_response_lose_nothing(app) {
        app.load_fixture(SLUG);
        let c = consultation(&app);
        let first = app.signed_in("first@example.gov.uk", Role::GroupMember).await;
        let second = app.signed_in("second@example.gov.uk", Role::GroupMember).await;
        assign(&app, "first@example.gov.uk");
        assign(&app, "second@example.gov.uk");
        let issue = db::issues::of_consultation(&mut app.db.connect(), c.id).expect("issues")[1].id.0;
        let url = format!("/staff/consultations/cheltenham-2011/issues/{issue}/draft");
        let opened_first = first.get(&url).await;
        let opened_second = second.get(&url).await;
        let version = opened_first.input("version").expect("version of the saved answer");
        assert_eq!(opened_second.input("version").as_deref(), Some(version.as_str()));
        let token = |p: &Page| p.input("csrf_token").expect("token");
        let saved = first.post(&url, &fields(&[("csrf_token", &token(&opened_first)), ("version", &version), ("kind", "written"), ("status", "draft"), ("content", "First wording")])).await;
        assert_eq!(saved.status, 303);
        let late = second.post(&url, &fields(&[("csrf_token", &token(&opened_second)), ("version", &version), ("kind", "written"), ("status", "draft"), ("content", "Second wording")])).await;
        assert_eq!(late.status, 409);
        assert!(late.body.contains("Someone else saved first") && late.body.contains("First wording"), "their version is shown");
        assert!(late.body.contains("Second wording"), "what the second person typed is kept");
        let stored = db::group_responses::for_issue(&mut app.db.connect(), IssueId(issue)).expect("query").expect("answer");
        assert_eq!(stored.content.as_deref(), Some("First wording"));
    }

    async fn a_group_member_reproduces_the_seeds_24_answers_through_the_ui(app) {
        app.load_fixture(SLUG);
        let expected = app.get("/consultations/cheltenham-2011/summary.csv").await.body;
        let c = consultation(&app);
        let mut conn = app.db.connect();
        let issues = db::issues::of_consultation(&mut conn, c.id).expect("issues");
        let answers = db::group_responses::of_consultation(&mut conn, c.id).expect("answers");
        assert_eq!((issues.len(), answers.len()), (24, 24));
        diesel::delete(db::schema::group_responses::table).execute(&mut conn).expect("clear the answers");
        assert_ne!(app.get("/consultations/cheltenham-2011/summary.csv").await.body, expected);

        let browser = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        group_signs_off(&app);
        for issue in &issues {
            let answer = answers.iter().find(|a| a.issue_id == issue.id).expect("an answer per issue");
            let url = format!("/staff/consultations/cheltenham-2011/issues/{}/draft", issue.id.0);
            let same_as = answer.same_as_issue_id.map(|i| i.0.to_string()).unwrap_or_default();
            let saved = browser.submit(&url, &url, &[
                ("kind", answer.kind.as_str()), ("content", answer.content.as_deref().unwrap_or("")),
                ("same_as", &same_as), ("status", answer.status.as_str()),
            ]).await;
            assert_eq!(saved.status, 303, "issue {}: {}", issue.id.0, saved.body);
        }
        assert_eq!(app.get("/consultations/cheltenham-2011/summary.csv").await.body, expected, "the table is the seed's again");
        let progress = browser.get("/staff/consultations/cheltenham-2011/themes").await;
        assert!(progress.body.contains("24 issues: 24 answered (100%), 24 agreed (100%)"), "{}", progress.body);
    }

    async fn the_analysis_runs_in_the_background_with_its_progress_shown(app) {
        app.load_fixture(SLUG);
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let bad = browser.submit("/staff/consultations/cheltenham-2011/analysis", "/staff/consultations/cheltenham-2011/analysis", &[("mode", "full"), ("themes", "lots")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("whole number from 2 to 200") && bad.body.contains("lots"));
        let started = browser.submit("/staff/consultations/cheltenham-2011/analysis", "/staff/consultations/cheltenham-2011/analysis", &[("mode", "full"), ("themes", "")]).await;
        assert_eq!(started.status, 303, "{}", started.body);
        let mut page = browser.get("/staff/consultations/cheltenham-2011/analysis").await;
        for _ in 0..600 {
            if !page.body.contains("The analysis is running") { break; }
            assert_eq!(page.header("refresh"), Some("3"), "the page refreshes itself while it runs");
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
            page = browser.get("/staff/consultations/cheltenham-2011/analysis").await;
        }
        assert!(page.body.contains("The last analysis finished"), "{}", page.body);
        let themes = browser.get("/staff/consultations/cheltenham-2011/themes").await;
        assert!(themes.body.contains("Top terms:"), "themes with their evidence");
        let c = consultation(&app);
        assert!(!db::themes::of_consultation(&mut app.db.connect(), c.id).expect("themes").is_empty());
    }

    async fn an_admin_adds_and_disables_users_and_officers_build_the_group(app) {
        app.load_fixture(SLUG);
        let admin = app.signed_in("admin@example.gov.uk", Role::Admin).await;
        let weak = admin.submit("/staff/users", "/staff/users", &[("email", "new@example.gov.uk"), ("name", "New Member"), ("role", "group_member"), ("password", "short")]).await;
        assert_eq!(weak.status, 422);
        assert!(weak.body.contains("12 characters or more") && weak.body.contains("new@example.gov.uk"));
        assert!(!weak.body.contains("value=\"short\""), "a password is never typed back");
        let added = admin.submit("/staff/users", "/staff/users", &[("email", "new@example.gov.uk"), ("name", "New Member"), ("role", "group_member"), ("password", crate::helpers::TEST_PASSWORD)]).await;
        assert_eq!(added.status, 303, "{}", added.body);

        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let member_id = user_id(&app, "new@example.gov.uk").0.to_string();
        let grouped = officer.submit("/staff/consultations/cheltenham-2011/group", "/staff/consultations/cheltenham-2011/group", &[("change", "add"), ("user", &member_id)]).await;
        assert_eq!(grouped.status, 303, "{}", grouped.body);
        let officer_id = user_id(&app, "officer@example.gov.uk").0.to_string();
        let not_member = officer.submit("/staff/consultations/cheltenham-2011/group", "/staff/consultations/cheltenham-2011/group", &[("change", "add"), ("user", &officer_id)]).await;
        assert_eq!(not_member.status, 422);

        let member = app.browser();
        let form = member.get("/sign-in").await;
        member.post("/sign-in", &fields(&[("csrf_token", &form.input("csrf_token").expect("token")), ("email", "new@example.gov.uk"), ("password", crate::helpers::TEST_PASSWORD), ("next", "/staff")])).await;
        assert_eq!(member.get("/staff/consultations/cheltenham-2011/inbox").await.status, 200);
        let disabled = admin.submit("/staff/users", &format!("/staff/users/{member_id}/disabled"), &[("disabled", "true")]).await;
        assert_eq!(disabled.status, 303);
        assert_eq!(member.get("/staff/consultations/cheltenham-2011/inbox").await.status, 303, "a disabled user's session ends");
        let myself = user_id(&app, "admin@example.gov.uk").0;
        let locked_out = admin.submit("/staff/users", &format!("/staff/users/{myself}/disabled"), &[("disabled", "true")]).await;
        assert_eq!(locked_out.status, 409);
    }

    async fn the_overview_has_charts_with_tables_and_the_inbox_searches(app) {
        app.load_fixture(SLUG);
        add_letter(&app, "CHL-0100");
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let overview = browser.get("/staff/consultations/cheltenham-2011/workspace").await;
        assert_eq!(overview.status, 200);
        assert_eq!(overview.body.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"").count(), 4);
        assert!(overview.body.contains("Responses by kind as a table") && overview.body.contains("County council"));
        let all = browser.get("/staff/consultations/cheltenham-2011/inbox").await;
        assert!(all.body.contains("10 response(s)"), "{}", all.body);
        let found = browser.get("/staff/consultations/cheltenham-2011/inbox?q=alcohol+MISUSE").await;
        assert!(found.body.contains("1 response(s) match") && found.body.contains("CHL-0100"), "{}", found.body);
        let by_name = browser.get("/staff/consultations/cheltenham-2011/inbox?q=gloucestershire+constabulary").await;
        assert!(!by_name.body.contains("CHL-0100"));
        let literal = browser.get("/staff/consultations/cheltenham-2011/inbox?q=100%25").await;
        assert!(literal.body.contains("No responses match"), "% is taken literally");
        let letters = browser.get("/staff/consultations/cheltenham-2011/inbox?channel=email").await;
        assert!(!letters.body.contains("CHL-0100"));
    }

    async fn group_members_see_only_the_consultations_they_are_in(app) {
        app.load_fixture(SLUG);
        app.load_fixture("gloucestershire-2008");
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        let list = member.get("/staff").await;
        assert!(list.body.contains("/staff/consultations/cheltenham-2011/workspace"));
        assert!(!list.body.contains("/staff/consultations/gloucestershire-2008/workspace"), "{}", list.body);
        assert_eq!(member.get("/staff/consultations/gloucestershire-2008/inbox").await.status, 403);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        assert!(officer.get("/staff").await.body.contains("/staff/consultations/gloucestershire-2008/workspace"));
    }

    async fn a_suggested_earlier_answer_is_used_as_above_in_one_step(app) {
        app.load_fixture(SLUG);
        let response = add_letter(&app, "CHL-0100");
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        browser.submit("/staff/consultations/cheltenham-2011/inbox/CHL-0100", "/staff/consultations/cheltenham-2011/inbox/CHL-0100/accept", &[]).await;
        let mut conn = app.db.connect();
        let options = sounding::analysis::cluster::ClusterOptions::default();
        sounding::service::analysis::run(&mut conn, SLUG, sounding::service::analysis::Mode::Full, &options, None, chrono::Utc::now(), &|_| {}).expect("analysis");
        // The letter repeats GCC's first point word for word, which the group answered "Noted".
        let repeat = issues_of(&app, response)[0].id;
        let url = format!("/staff/consultations/cheltenham-2011/issues/{}/draft", repeat.0);
        let page = browser.get(&url).await;
        assert!(page.body.contains("Similar issues already answered") && page.body.contains("Use as above"), "{}", page.body);
        let suggested = db::analysis::suggestions_for(&mut conn, repeat).expect("suggestions")[0].suggested_issue_id;
        let used = browser.submit(&url, &url, &[("kind", "as_above"), ("same_as", &suggested.0.to_string()), ("status", "draft"), ("content", "")]).await;
        assert_eq!(used.status, 303, "{}", used.body);
        let answer = db::group_responses::for_issue(&mut conn, repeat).expect("query").expect("answer");
        assert_eq!((answer.kind, answer.same_as_issue_id), (GroupResponseKind::AsAbove, Some(suggested)));
    }

    async fn published_responses_show_as_chosen_and_redacted(app) {
        app.load_fixture(SLUG);
        {
            use db::schema::responses;
            let mut conn = app.db.connect();
            diesel::update(responses::table.filter(responses::reference.eq("CHL-0008"))).set(responses::publication.eq(Publication::Anonymous)).execute(&mut conn).expect("anonymous");
            diesel::update(responses::table.filter(responses::reference.eq("CHL-0009"))).set(responses::publication.eq(Publication::NotPublished)).execute(&mut conn).expect("not published");
        }
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let url = "/staff/consultations/cheltenham-2011/inbox/CHL-0001";
        let original = db::responses::by_reference(&mut app.db.connect(), "CHL-0001").expect("query").expect("response").content;
        let same = officer.submit(url, &format!("{url}/redact"), &[("redacted", &original), ("reason", "None")]).await;
        assert_eq!(same.status, 422);
        assert!(same.body.contains("is the same as the response"));
        let no_reason = officer.submit(url, &format!("{url}/redact"), &[("redacted", "[redacted]"), ("reason", "")]).await;
        assert_eq!(no_reason.status, 422);
        assert!(no_reason.body.contains("Enter the reason for the redaction") && no_reason.body.contains("[redacted]"), "what was typed is kept");
        let redacted = original.replacen("GCC fully supports", "[redacted] fully supports", 1);
        let saved = officer.submit(url, &format!("{url}/redact"), &[("redacted", &redacted), ("reason", "Named a private person")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let staff_view = officer.get(url).await;
        assert!(staff_view.body.contains("Named a private person") && staff_view.body.contains("GCC fully supports"), "staff see the original and why");
        let id = db::responses::by_reference(&mut app.db.connect(), "CHL-0001").expect("query").expect("response").id.0;
        assert!(audit_actions(&app, "response", id).contains(&"response redacted for publication".to_string()));

        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        let token = member.get(url).await.input("csrf_token").expect("token");
        assert_eq!(member.post(&format!("{url}/redact"), &fields(&[("csrf_token", &token), ("redacted", "x"), ("reason", "y")])).await.status, 403, "redaction is for officers");

        let public = app.get("/consultations/cheltenham-2011/responses").await;
        assert_eq!(public.status, 200);
        assert!(public.body.contains("[redacted] fully supports") && !public.body.contains("GCC fully supports"), "{}", public.body);
        assert!(public.body.contains("parts removed before publication"));
        assert!(public.body.contains("CHL-0008: Name withheld"));
        assert!(!public.body.contains("CHL-0009"), "not published as the consultee chose");
        assert!(!public.body.contains("@"), "no e-mail addresses");
        assert!(public.body.contains("8 response(s)"));
        // Unpublished consultations have no public responses page.
        app.load_fixture("gloucestershire-2008");
        let status = db::consultations::by_slug(&mut app.db.connect(), "gloucestershire-2008").expect("query").expect("found").status;
        if status != ConsultationStatus::Published {
            assert_eq!(app.get("/consultations/gloucestershire-2008/responses").await.status, 404);
        }
    }
}

app_test! {
    async fn drafting_names_issues_by_reference_saves_and_goes_to_the_next_unanswered_and_suggests_by_words(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let (first, police, parking) = {
            let mut conn = app.db.connect();
            let c = consultation(&app);
            let issues = db::issues::of_consultation(&mut conn, c.id).expect("issues");
            let first = issues[0].clone();
            let mut add = |position: i32, content: &str| {
                db::issues::insert(&mut conn, &db::issues::NewIssue {
                    consultation_id: c.id,
                    response_id: first.response_id,
                    position,
                    content,
                    kind: IssueKind::Suggestion,
                })
                .expect("issue")
            };
            let police = add(11, "The police authority should sit on the Strategic Leadership Group.");
            let parking = add(12, "Parking in the town centre is too expensive.");
            (first, police, parking)
        };
        let page = officer.get(&format!("/staff/consultations/{SLUG}/issues/{}/draft", first.id.0)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("The group’s response to CHL-0001, point 1"), "no database id in the heading");
        assert!(!page.body.contains(&format!("issue {}", first.id.0)));
        let mut send = fields(&[("kind", "noted"), ("status", "agreed"), ("content", ""), ("same_as", ""), ("then", "next")]);
        send.push(("version".into(), page.input("version").expect("version")));
        send.push(("csrf_token".into(), page.input("csrf_token").expect("token")));
        let saved = officer.post(&format!("/staff/consultations/{SLUG}/issues/{}/draft", first.id.0), &send).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let next = saved.header("location").expect("location").to_string();
        assert_eq!(next, format!("/staff/consultations/{SLUG}/issues/{}/draft?done=drafted-next", police.0), "the next issue without a response");
        let police_page = officer.get(&next).await;
        assert!(police_page.body.contains("CHL-0001, point 11"));
        assert!(police_page.body.contains("police authority presence"), "an answered issue in the same words is suggested without an analysis run");
        let parking_page = officer.get(&format!("/staff/consultations/{SLUG}/issues/{}/draft", parking.0)).await;
        assert!(!parking_page.body.contains("Similar issues already answered"), "nothing like it is answered");
    }
}

app_test! {
    async fn destructive_actions_ask_first_and_lose_nothing_until_confirmed(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let c = consultation(&app);
        let (section, issue) = {
            let mut conn = app.db.connect();
            let section = db::document::sections_of(&mut conn, c.id).expect("sections")[0].clone();
            let issue = db::issues::of_consultation(&mut conn, c.id).expect("issues")[0].clone();
            (section, issue)
        };
        let delete = format!("/staff/consultations/{SLUG}/sections/{}/delete", section.id.0);
        let asked = officer.submit(&format!("/staff/consultations/{SLUG}"), &delete, &[]).await;
        assert_eq!(asked.status, 303);
        assert_eq!(asked.header("location"), Some(delete.as_str()), "one click leads to the question, not the deletion");
        let page = officer.get(&delete).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("Delete the section “{}”?", section.heading)), "{}", page.body);
        assert!(page.body.contains("This cannot be undone"));
        {
            let mut conn = app.db.connect();
            assert!(db::document::sections_of(&mut conn, c.id).expect("sections").iter().any(|s| s.id == section.id), "nothing deleted yet");
        }
        let done = officer.submit(&delete, &delete, &[("confirm", "yes")]).await;
        assert_eq!(done.status, 303, "{}", done.body);
        {
            let mut conn = app.db.connect();
            assert!(!db::document::sections_of(&mut conn, c.id).expect("sections").iter().any(|s| s.id == section.id), "deleted once confirmed");
        }

        // An issue the group has not answered (an answered one is merged, not removed).
        let issue = {
            let mut conn = app.db.connect();
            let id = db::issues::insert(&mut conn, &db::issues::NewIssue {
                consultation_id: c.id,
                response_id: issue.response_id,
                position: 11,
                content: "Kind regards to the team.",
                kind: IssueKind::Comment,
            })
            .expect("issue");
            db::issues::by_id(&mut conn, id).expect("query").expect("issue")
        };
        let remove = format!("/staff/consultations/{SLUG}/issues/{}/remove", issue.id.0);
        let asked = officer.submit(&format!("/staff/consultations/{SLUG}/inbox/CHL-0001"), &remove, &[]).await;
        assert_eq!(asked.header("location"), Some(remove.as_str()));
        let page = officer.get(&remove).await;
        assert!(page.body.contains("Remove CHL-0001, point 11: it is not an issue?"), "{}", page.body);
        assert!(page.body.contains(&issue.content));
        let removed = officer.submit(&remove, &remove, &[("confirm", "yes")]).await;
        assert_eq!(removed.status, 303);
        assert!(removed.header("location").is_some_and(|l| l.ends_with("#issues")), "back at the issues");
    }
}

app_test! {
    async fn officers_correct_a_consultee_and_merge_two_records_of_one_organisation(app) {
        app.load_fixture(SLUG);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let c = consultation(&app);
        let (gcc, scp, cbp) = {
            let mut conn = app.db.connect();
            let all = db::consultees::of_consultation(&mut conn, c.id).expect("consultees");
            let find = |name: &str| all.iter().find(|k| k.name.starts_with(name)).expect(name).id.0;
            (find("Gloucestershire County Council"), find("Stronger Communities"), find("Cheltenham Business"))
        };
        let page = officer.get(&format!("/staff/consultations/{SLUG}/consultees")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Gloucestershire County Council (GCC)"));
        let edit = format!("/staff/consultations/{SLUG}/consultees/{gcc}");
        let refused = officer.submit(&format!("/staff/consultations/{SLUG}/consultees"), &edit, &[("name", ""), ("short_name", "GlosCC"), ("kind", "county_council")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains(r#"value="GlosCC""#), "what was typed is kept");
        let saved = officer.submit(&format!("/staff/consultations/{SLUG}/consultees"), &edit, &[("name", "Gloucestershire County Council"), ("short_name", "GlosCC"), ("kind", "county_council")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let table = app.get(&format!("/consultations/{SLUG}/summary.csv")).await.body;
        assert!(table.contains("Gloucestershire County Council (GlosCC)") && table.contains("\r\nGlosCC,") || table.contains(",GlosCC,"), "the table names them as corrected");

        let merge = format!("/staff/consultations/{SLUG}/consultees/{cbp}/merge");
        let asked = officer.submit(&format!("/staff/consultations/{SLUG}/consultees"), &merge, &[("into", &scp.to_string())]).await;
        assert_eq!(asked.header("location"), Some(format!("{merge}?into={scp}").as_str()));
        let page = officer.get(&format!("{merge}?into={scp}")).await;
        assert!(page.body.contains(&format!(r#"<option value="{scp}" selected>"#)), "{}", page.body);
        let merged = officer.submit(&format!("{merge}?into={scp}"), &merge, &[("into", &scp.to_string()), ("confirm", "yes")]).await;
        assert_eq!(merged.status, 303, "{}", merged.body);
        let mut conn = app.db.connect();
        let all = db::consultees::of_consultation(&mut conn, c.id).expect("consultees");
        assert!(all.iter().all(|k| k.id.0 != cbp), "the merged record is gone");
        let table = app.get(&format!("/consultations/{SLUG}/summary.csv")).await.body;
        let who: Vec<String> = csv::Reader::from_reader(table.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.expect("row")[1].to_string())
            .collect();
        assert!(who.iter().all(|w| !w.contains("Cheltenham Business Partnership")), "no row names it now: {who:?}");
        let audit = db::audit::for_entity(&mut conn, "consultee", scp).expect("audit");
        assert!(audit.iter().any(|e| e.action == "consultees merged"));
    }
}

app_test! {
    async fn the_group_shares_out_themes_and_marks_where_it_is_with_each_response(app) {
        app.load_fixture(SLUG);
        let c = consultation(&app);
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        assign(&app, "member@example.gov.uk");
        let (mine, other, member_id) = {
            let mut conn = app.db.connect();
            let new = |label: &'static str| db::themes::NewTheme { consultation_id: c.id, label, origin: ThemeOrigin::Officer, officer_named: true, pinned: false, position: 0, created_at: chrono::Utc::now().naive_utc() };
            let mine = db::themes::insert(&mut conn, &new("Membership of the SLG")).expect("theme").0;
            let other = db::themes::insert(&mut conn, &new("Business involvement")).expect("theme").0;
            let issues = db::issues::of_consultation(&mut conn, c.id).expect("issues");
            db::issues::place_in_theme(&mut conn, &[issues[9].id], Some(ThemeId(mine))).expect("place");
            (mine, other, user_id(&app, "member@example.gov.uk").0)
        };
        let theme_page = format!("/staff/consultations/{SLUG}/themes/{mine}");
        let page = officer.get(&theme_page).await;
        assert!(page.body.contains(&format!(r#"<option value="{member_id}""#)), "group members can be chosen");
        let saved = officer.submit(&theme_page, &format!("{theme_page}/assign"), &[("assigned_to", &member_id.to_string())]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let outsider = user_id(&app, "officer@example.gov.uk").0 + 1000;
        let refused = officer.submit(&theme_page, &format!("{theme_page}/assign"), &[("assigned_to", &outsider.to_string())]).await;
        assert_eq!(refused.status, 422, "only people of the group");

        let list = member.get(&format!("/staff/consultations/{SLUG}/themes?show=mine")).await;
        assert!(list.body.contains("Membership of the SLG") && !list.body.contains("Business involvement"), "assigned to me: {}", list.body);
        let all = member.get(&format!("/staff/consultations/{SLUG}/themes")).await;
        assert!(all.body.contains("Business involvement") && all.body.contains(&format!("/themes/{other}")));
        let theirs = officer.get(&format!("/staff/consultations/{SLUG}/themes?show=mine")).await;
        assert!(!theirs.body.contains("Membership of the SLG"), "not the officer's");
        let unanswered = member.get(&format!("{theme_page}?show=unanswered")).await;
        assert!(unanswered.body.contains("No issues."), "every issue of the fixture is answered");
        let every = member.get(&format!("{theme_page}?show=all")).await;
        assert!(!every.body.contains("No issues."));

        let response = format!("/staff/consultations/{SLUG}/inbox/CHL-0001");
        let marked = member.submit(&response, &format!("{response}/work"), &[("work_status", "in_progress")]).await;
        assert_eq!(marked.status, 303, "{}", marked.body);
        assert!(marked.header("location").is_some_and(|l| l.ends_with("#work")));
        let in_progress = member.get(&format!("/staff/consultations/{SLUG}/inbox?work=in_progress")).await;
        assert!(in_progress.body.contains("1 response(s) match") && in_progress.body.contains("CHL-0001"), "{}", in_progress.body);
        let new = member.get(&format!("/staff/consultations/{SLUG}/inbox?work=new")).await;
        assert!(!new.body.contains(">CHL-0001<"));
    }
}

app_test! {
    async fn several_issues_of_a_response_are_tagged_or_moved_at_once(app) {
        app.load_fixture(SLUG);
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assign(&app, "member@example.gov.uk");
        let c = consultation(&app);
        let (issues, slg) = {
            let mut conn = app.db.connect();
            let r = db::responses::by_reference(&mut conn, "CHL-0001").expect("query").expect("response");
            let issues = db::issues::of_response(&mut conn, r.id).expect("issues");
            let slg = db::structure::bodies_of(&mut conn, c.id).expect("bodies").into_iter().find(|b| b.short_name.as_deref() == Some("SLG")).expect("SLG").id;
            (issues, slg)
        };
        let page = format!("/staff/consultations/{SLUG}/inbox/CHL-0001");
        let shown = member.get(&page).await;
        assert!(shown.body.contains(r#"class="response-layout""#) && shown.body.contains(r#"form="bulk""#));
        let action = format!("/staff/consultations/{SLUG}/inbox/CHL-0001/bulk");
        let nothing = member.submit(&page, &action, &[("action", &format!("body:{}", slg.0))]).await;
        assert_eq!(nothing.status, 422);
        assert!(nothing.body.contains("Select the issues to change"));
        let (a, b) = (issues[2].id.0.to_string(), issues[3].id.0.to_string());
        let tagged = member.submit(&page, &action, &[("issues", &a), ("issues", &b), ("action", &format!("body:{}", slg.0))]).await;
        assert_eq!(tagged.status, 303, "{}", tagged.body);
        assert!(tagged.header("location").is_some_and(|l| l.ends_with("#issues")));
        let mut conn = app.db.connect();
        for id in [issues[2].id, issues[3].id] {
            assert!(db::issues::structure_tags_of(&mut conn, id).expect("tags").1.contains(&slg));
        }
        assert!(!db::issues::structure_tags_of(&mut conn, issues[4].id).expect("tags").1.contains(&slg) || issues[4].content.contains("Strategic"), "only the selected");
        let theme = db::themes::insert(&mut conn, &db::themes::NewTheme { consultation_id: c.id, label: "Positive Participation", origin: ThemeOrigin::Officer, officer_named: true, pinned: false, position: 0, created_at: chrono::Utc::now().naive_utc() }).expect("theme").0;
        drop(conn);
        let moved = member.submit(&page, &action, &[("issues", &a), ("action", &format!("theme:{theme}"))]).await;
        assert_eq!(moved.status, 303, "{}", moved.body);
        let mut conn = app.db.connect();
        assert_eq!(db::issues::by_id(&mut conn, issues[2].id).expect("query").expect("issue").theme_id, Some(ThemeId(theme)));

        // Removing several at once asks first, quoting each, and carries the selection.
        let add = |conn: &mut db::DbConnection, position: i32, content: &'static str| {
            let id = db::issues::insert(conn, &db::issues::NewIssue { consultation_id: c.id, response_id: issues[0].response_id, position, content, kind: IssueKind::Comment }).expect("issue");
            db::issues::by_id(conn, id).expect("query").expect("issue")
        };
        let (greeting, sign_off) = (add(&mut conn, 20, "Dear Sir or Madam,"), add(&mut conn, 21, "Yours faithfully,"));
        let answered = match issues.iter().find(|i| db::group_responses::for_issue(&mut conn, i.id).expect("query").is_some()) {
            Some(i) => i.clone(),
            None => {
                db::group_responses::insert(&mut conn, &db::group_responses::NewGroupResponse {
                    issue_id: issues[0].id, kind: GroupResponseKind::Written, content: Some("Agreed."),
                    same_as_issue_id: None, status: DraftStatus::Draft, updated_by: None, updated_at: chrono::Utc::now().naive_utc(),
                }).expect("answer");
                issues[0].clone()
            }
        };
        drop(conn);
        let (g, o, x) = (greeting.id.0.to_string(), sign_off.id.0.to_string(), answered.id.0.to_string());
        let asked = member.submit(&page, &action, &[("issues", &g), ("issues", &o), ("action", "remove")]).await;
        assert_eq!(asked.status, 303);
        let confirm_at = asked.header("location").expect("to the question").to_string();
        assert!(confirm_at.starts_with(&action) && confirm_at.contains("action=remove"), "{confirm_at}");
        let mut conn = app.db.connect();
        assert!(db::issues::by_id(&mut conn, greeting.id).expect("query").is_some(), "nothing removed before the answer");
        drop(conn);
        let question = member.get(&confirm_at).await;
        assert_eq!(question.status, 200);
        assert!(question.body.contains("Remove 2 points of CHL-0001: they are not issues?"), "{}", question.body);
        assert!(question.body.contains("Dear Sir or Madam,") && question.body.contains("Yours faithfully,"));
        assert_eq!(question.body.matches(r#"type="hidden" name="issues""#).count(), 2, "the selection is carried");
        // One answered issue in the selection: nothing is removed, and the page says which.
        let refused = member.submit(&confirm_at, &action, &[("confirm", "yes"), ("action", "remove"), ("issues", &g), ("issues", &x)]).await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(refused.body.contains(&format!("answered point {}", answered.position)), "{}", refused.body);
        let mut conn = app.db.connect();
        assert!(db::issues::by_id(&mut conn, greeting.id).expect("query").is_some(), "all or none");
        drop(conn);
        let removed = member.submit(&confirm_at, &action, &[("confirm", "yes"), ("action", "remove"), ("issues", &g), ("issues", &o)]).await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        let mut conn = app.db.connect();
        assert!(db::issues::by_id(&mut conn, greeting.id).expect("query").is_none());
        assert!(db::issues::by_id(&mut conn, sign_off.id).expect("query").is_none());
        assert!(db::issues::by_id(&mut conn, answered.id).expect("query").is_some(), "only the selected");
        let audit = db::audit::for_entity(&mut conn, "response", greeting.response_id.0).expect("audit");
        assert_eq!(audit.iter().filter(|e| e.action == "issue removed").count(), 2, "each removal audited");
    }
}
