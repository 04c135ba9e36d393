//! The access matrix: every route of the URL map and of the API, as every
//! kind of user, on a consultation in every status, answers as the route's
//! access class says. Generated from the route tables themselves
//! (`sounding::web::ROUTES`, `sounding::web::api::API_ROUTES`), so a new
//! route cannot be left out.

use serde_json::json;
use sounding::db;
use sounding::domain::*;
use sounding::web::Access;

use crate::api::call;
use crate::helpers::{Browser, Kind, Page, TestApp, fields};

const SLUG: &str = "cheltenham-2011";

/// The kinds of user every route is tried as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// A group member assigned to nothing.
    Outsider,
    /// A group member of the consultation.
    Member,
    Officer,
    Admin,
}

const EVERYONE: [Who; 5] = [
    Who::Anonymous,
    Who::Outsider,
    Who::Member,
    Who::Officer,
    Who::Admin,
];

/// Whether `who` may use a route of class `access` (on this consultation).
fn may(access: Access, who: Who) -> bool {
    match access {
        Access::Anyone | Access::Consultee => true,
        Access::SignedIn => who != Who::Anonymous,
        Access::Work => matches!(who, Who::Member | Who::Officer | Who::Admin),
        Access::Run | Access::CreateConsultations => matches!(who, Who::Officer | Who::Admin),
        Access::ManageUsers => who == Who::Admin,
    }
}

/// The ids a route's placeholders stand for.
struct Ids {
    reference: String,
    section: i64,
    question: i64,
    body: i64,
    link: i64,
    issue: i64,
    theme: i64,
    user: i64,
    upload: i64,
    version_body: i64,
    version_link: i64,
    consultee: i64,
}

impl Ids {
    fn fill(&self, pattern: &str) -> String {
        pattern
            .replace("{slug}", SLUG)
            .replace("{reference}", &self.reference)
            .replace("{section}", &self.section.to_string())
            .replace("{question}", &self.question.to_string())
            .replace("{body}", &self.body.to_string())
            .replace("{link}", &self.link.to_string())
            .replace("{issue}", &self.issue.to_string())
            .replace("{theme}", &self.theme.to_string())
            .replace("{user}", &self.user.to_string())
            .replace("{upload}", &self.upload.to_string())
            .replace("{version_body}", &self.version_body.to_string())
            .replace("{version_link}", &self.version_link.to_string())
            .replace("{consultee}", &self.consultee.to_string())
    }
}

/// The fixture in `status`, with a theme, a spare user and an upload.
fn arrange(app: &TestApp, status: ConsultationStatus) -> Ids {
    app.load_fixture(SLUG);
    app.add_user("spare@example.gov.uk", Role::GroupMember);
    let mut conn = app.db.connect();
    let c = db::consultations::by_slug(&mut conn, SLUG)
        .expect("query")
        .expect("found");
    db::consultations::set_status(&mut conn, c.id, status, chrono::Utc::now().naive_utc())
        .expect("status");
    let theme = db::themes::insert(
        &mut conn,
        &db::themes::NewTheme {
            consultation_id: c.id,
            label: "Walk",
            origin: ThemeOrigin::Officer,
            officer_named: true,
            pinned: false,
            position: 0,
            created_at: chrono::Utc::now().naive_utc(),
        },
    )
    .expect("theme")
    .0;
    let caller = sounding::service::access::Caller::System("test");
    let scope = sounding::service::access::open(&mut conn, &caller, SLUG).expect("scope");
    let upload = sounding::service::import::upload(
        &mut conn,
        &scope,
        "walk.csv",
        b"Name,Comments\r\nAnn,Hello\r\n",
        chrono::Utc::now(),
    )
    .expect("upload");
    let version = db::outcome::versions_of(&mut conn, c.id).expect("versions")[0].id;
    Ids {
        consultee: db::consultees::of_consultation(&mut conn, c.id).expect("consultees")[0]
            .id
            .0,
        version_body: db::outcome::bodies_of(&mut conn, version).expect("revised bodies")[0]
            .id
            .0,
        version_link: db::outcome::links_of(&mut conn, version).expect("revised links")[0]
            .id
            .0,
        reference: "CHL-0002".into(),
        section: db::document::sections_of(&mut conn, c.id).expect("sections")[0]
            .id
            .0,
        question: db::document::questions_of(&mut conn, c.id).expect("questions")[0]
            .id
            .0,
        body: db::structure::bodies_of(&mut conn, c.id).expect("bodies")[0]
            .id
            .0,
        link: db::structure::links_of(&mut conn, c.id).expect("links")[0]
            .id
            .0,
        // An issue of the response above (the bulk routes act on both).
        issue: {
            let response = db::responses::by_reference(&mut conn, "CHL-0002")
                .expect("query")
                .expect("response");
            db::issues::of_response(&mut conn, response.id).expect("issues")[0]
                .id
                .0
        },
        theme,
        user: db::users::by_email(&mut conn, "spare@example.gov.uk")
            .expect("query")
            .expect("user")
            .id
            .0,
        upload,
    }
}

/// What one request answered.
fn outcome(page: &Page) -> String {
    match page.header("location") {
        Some(location) if page.status == 303 && location.starts_with("/sign-in") => {
            "sign-in".into()
        }
        _ => page.status.to_string(),
    }
}

/// A page request as `who`, through their browser.
async fn page_as(browser: &Browser<'_>, token: &str, method: &str, path: &str) -> Page {
    if method == "get" {
        browser.get(path).await
    } else {
        browser.post(path, &fields(&[("csrf_token", token)])).await
    }
}

async fn every_route_answers_every_role_as_its_class_says(kind: Kind, status: ConsultationStatus) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let ids = arrange(&app, status);
    let anonymous = app.browser();
    let outsider = app
        .signed_in("outsider@example.gov.uk", Role::GroupMember)
        .await;
    let member = app
        .signed_in("member@example.gov.uk", Role::GroupMember)
        .await;
    let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
    let admin = app.signed_in("admin@example.gov.uk", Role::Admin).await;
    {
        let mut conn = app.db.connect();
        let c = db::consultations::by_slug(&mut conn, SLUG)
            .expect("query")
            .expect("found");
        let user = db::users::by_email(&mut conn, "member@example.gov.uk")
            .expect("query")
            .expect("user");
        db::members::assign(&mut conn, c.id, user.id).expect("assign");
    }
    let browsers = [&anonymous, &outsider, &member, &officer, &admin];
    let mut tokens = Vec::new();
    for browser in browsers {
        tokens.push(
            browser
                .get("/sign-in")
                .await
                .input("csrf_token")
                .expect("token"),
        );
    }
    let mut bearer = vec![None];
    for email in [
        "outsider@example.gov.uk",
        "member@example.gov.uk",
        "officer@example.gov.uk",
        "admin@example.gov.uk",
    ] {
        bearer.push(Some(login(&app, email).await));
    }

    let mut failures = Vec::new();
    for (method, pattern, access) in sounding::web::ROUTES {
        // Signing out ends the session the rest of the walk needs.
        if *pattern == "/sign-out" {
            continue;
        }
        let mut path = ids.fill(pattern);
        // The bulk removal's question needs a selection to ask about.
        if *method == "get" && pattern.ends_with("/bulk") {
            path.push_str(&format!("?action=remove&issues={}", ids.issue));
        }
        let mut answers = Vec::new();
        for (i, who) in EVERYONE.iter().enumerate() {
            let page = page_as(browsers[i], &tokens[i], method, &path).await;
            answers.push((*who, outcome(&page), page.body));
        }
        check(&mut failures, (method, pattern, *access), &answers, false);
    }
    for (method, pattern, access) in sounding::web::api::API_ROUTES {
        if *pattern == "/api/v1/sessions/current" && *method == "delete" {
            continue;
        }
        let path = ids.fill(pattern);
        let mut answers = Vec::new();
        for (i, who) in EVERYONE.iter().enumerate() {
            let body = (*method != "get" && *method != "delete").then(|| json!({}));
            let page = call(
                &app,
                &method.to_uppercase(),
                &path,
                bearer[i].as_deref(),
                body,
                &[],
            )
            .await;
            answers.push((*who, page.status.to_string(), page.body));
        }
        check(&mut failures, (method, pattern, *access), &answers, true);
    }
    assert!(
        failures.is_empty(),
        "{status:?}: {} route answers were wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A bearer token for a user added by `signed_in`.
async fn login(app: &TestApp, email: &str) -> String {
    let page = call(
        app,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "email": email, "password": crate::helpers::TEST_PASSWORD })),
        &[],
    )
    .await;
    assert_eq!(page.status, 201, "{}", page.body);
    crate::api::json_of(&page)["token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// Checks one route's answers against its class.
fn check(
    failures: &mut Vec<String>,
    (method, pattern, access): (&str, &str, Access),
    answers: &[(Who, String, String)],
    api: bool,
) {
    let refused_anonymous = if api { "401" } else { "sign-in" };
    for (who, outcome, _) in answers {
        let route = format!("{method} {pattern} as {who:?} ({access:?})");
        if outcome.starts_with('5') {
            failures.push(format!("{route}: {outcome}"));
            continue;
        }
        let denied = outcome == "403" || outcome == "401" || outcome == "sign-in";
        match (access, may(access, *who)) {
            (Access::Anyone | Access::Consultee, _) => {}
            (_, true) if denied => failures.push(format!("{route}: refused with {outcome}")),
            (_, true) if method == "get" && outcome != "200" => {
                failures.push(format!("{route}: {outcome}, not 200"))
            }
            (_, false) if *who == Who::Anonymous && outcome != refused_anonymous => {
                failures.push(format!("{route}: {outcome}, not {refused_anonymous}"))
            }
            (_, false) if *who != Who::Anonymous && outcome != "403" => {
                failures.push(format!("{route}: {outcome}, not 403"))
            }
            _ => {}
        }
    }
    // Public routes: a group member who is not in the consultation's group
    // gets exactly what the public gets, nothing more.
    if matches!(access, Access::Anyone | Access::Consultee) {
        let public = &answers[0];
        let outsider = &answers[1];
        if public.1 != outsider.1 {
            failures.push(format!(
                "{method} {pattern}: the public got {}, an unassigned group member {}",
                public.1, outsider.1
            ));
        }
        if method == "get"
            && access == Access::Anyone
            && pattern.contains("{slug}")
            && !api
            && public.2.len().abs_diff(outsider.2.len()) > 600
        {
            failures.push(format!("{method} {pattern}: an unassigned group member saw a different page ({} against {} bytes)", outsider.2.len(), public.2.len()));
        }
    }
}

macro_rules! matrix {
    ($($name:ident: $status:expr;)+) => {$(
        mod $name {
            use super::*;
            #[actix_web::test]
            async fn on_sqlite() {
                every_route_answers_every_role_as_its_class_says(Kind::Sqlite, $status).await;
            }
            #[actix_web::test]
            async fn on_postgres() {
                every_route_answers_every_role_as_its_class_says(Kind::Postgres, $status).await;
            }
        }
    )+};
}

matrix! {
    every_route_answers_every_role_on_a_draft: ConsultationStatus::Draft;
    every_route_answers_every_role_on_an_open_consultation: ConsultationStatus::Open;
    every_route_answers_every_role_on_a_closed_consultation: ConsultationStatus::Closed;
    every_route_answers_every_role_on_a_published_consultation: ConsultationStatus::Published;
}

#[test]
fn every_class_is_tried() {
    for access in [
        Access::Anyone,
        Access::Consultee,
        Access::SignedIn,
        Access::Work,
        Access::Run,
        Access::CreateConsultations,
        Access::ManageUsers,
    ] {
        assert!(
            sounding::web::ROUTES
                .iter()
                .chain(sounding::web::api::API_ROUTES)
                .any(|(_, _, a)| *a == access),
            "{access:?} routes exist"
        );
    }
}
