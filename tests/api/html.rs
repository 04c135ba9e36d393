//! Every page is well-formed HTML with one h1 and a label for every field.

use sounding::domain::*;

use crate::helpers::{Kind, Page, TestApp, fields};

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Checks tags balance (void and self-closing elements aside) and returns
/// the problems found.
fn balance(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with("!--") {
            rest = rest.find("-->").map(|e| &rest[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(end) = rest.find('>') else {
            problems.push("unterminated tag".into());
            break;
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        if name.is_empty() {
            problems.push(format!("odd tag <{tag}>"));
        } else if closing {
            match open.pop() {
                Some(top) if top == name => {}
                Some(top) => problems.push(format!("</{name}> closes <{top}>")),
                None => problems.push(format!("</{name}> closes nothing")),
            }
        } else if !VOID.contains(&name.as_str()) && !tag.ends_with('/') {
            open.push(name);
        }
    }
    if !open.is_empty() {
        problems.push(format!("unclosed: {open:?}"));
    }
    problems
}

/// The value of `attribute` in a tag's text.
fn attribute<'a>(tag: &'a str, attribute: &str) -> Option<&'a str> {
    let marker = format!(" {attribute}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

fn check(path: &str, page: &Page) {
    let html = &page.body;
    assert!(html.starts_with("<!DOCTYPE html>"), "{path}: doctype");
    assert!(html.contains("<html lang=\"en-GB\">"), "{path}: language");
    let problems = balance(html);
    assert!(problems.is_empty(), "{path}: {problems:?}");
    assert_eq!(html.matches("<h1").count(), 1, "{path}: exactly one h1");
    for kind in ["<input", "<select", "<textarea"] {
        for piece in html.split(kind).skip(1) {
            let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
            if attribute(tag, "type") == Some("hidden") {
                continue;
            }
            let id = attribute(tag, "id")
                .unwrap_or_else(|| panic!("{path}: a field without an id: {kind}{tag}"));
            assert!(
                html.contains(&format!("for=\"{id}\"")),
                "{path}: no label for #{id}"
            );
        }
    }
    if html.contains("class=\"chart\"") {
        for chart in html
            .split("<svg")
            .skip(1)
            .filter(|c| c.contains("class=\"chart\""))
        {
            assert!(
                chart.contains("role=\"img\"") && chart.contains("<title>"),
                "{path}: every chart is a titled image"
            );
        }
        assert!(html.contains("as a table"), "{path}: charts have tables");
    }
    if html.contains("class=\"structure-diagram\"") {
        assert!(
            html.contains("<title id=\"structure-diagram-title\">"),
            "{path}: the diagram is named"
        );
        assert!(
            html.contains("id=\"body-"),
            "{path}: every body is described in words too"
        );
        assert!(
            html.contains("How the bodies relate"),
            "{path}: the links are listed in words"
        );
    }
}

#[actix_web::test]
async fn every_page_is_well_formed_with_one_h1_and_labelled_fields() {
    let app = TestApp::spawn(Kind::Sqlite).await.expect("sqlite");
    for name in sounding::service::fixtures::names() {
        app.load_fixture(name);
    }
    app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date"));
    let public = app.browser();
    let mut pages: Vec<(String, Page)> = Vec::new();
    for path in [
        "/",
        "/consultations/cheltenham-2011",
        "/consultations/gloucestershire-2008",
        "/consultations/cheshire-west-2008",
        "/consultations/cheltenham-2011/respond",
        "/nowhere",
        "/sign-in",
    ] {
        pages.push((path.to_string(), public.get(path).await));
    }
    // The journey's later pages: errors, check, confirmation, private, refused.
    let form = public.get("/consultations/cheltenham-2011/respond").await;
    let token = form.input("csrf_token").expect("token");
    let errors = public
        .post(
            "/consultations/cheltenham-2011/respond",
            &fields(&[("csrf_token", &token), ("action", "check")]),
        )
        .await;
    pages.push(("respond with errors".into(), errors));
    let required = format!("answer-{}", app.required_question());
    let good = fields(&[
        ("csrf_token", &token),
        ("name", "Ann"),
        ("on_behalf", "no"),
        ("point-1-text", "A point"),
        ("publication", "anonymous"),
        (&required, "Yes"),
    ]);
    let mut check_fields = good.clone();
    check_fields.push(("action".into(), "check".into()));
    let check_page = public
        .post("/consultations/cheltenham-2011/respond", &check_fields)
        .await;
    let mut submit = good.clone();
    submit.retain(|(n, _)| n != "csrf_token");
    submit.push((
        "csrf_token".into(),
        check_page.input("csrf_token").expect("token"),
    ));
    submit.push(("action".into(), "submit".into()));
    pages.push(("check".into(), check_page));
    let done = public
        .post("/consultations/cheltenham-2011/respond", &submit)
        .await;
    let confirmation = public.get(done.header("location").expect("location")).await;
    pages.push(("confirmation".into(), confirmation));
    let closed = public
        .get("/consultations/gloucestershire-2008/respond")
        .await;
    pages.push(("closed".into(), closed));

    let staff = app.signed_in("officer@example.gov.uk", Role::Officer).await;
    for path in [
        "/staff",
        "/staff/consultations/new",
        "/staff/consultations/cheltenham-2011",
        "/staff/consultations/gloucestershire-2008",
    ] {
        pages.push((path.to_string(), staff.get(path).await));
    }
    // The group's workspace, after an analysis so themes exist.
    {
        let mut conn = app.db.connect();
        let options = sounding::analysis::cluster::ClusterOptions::default();
        sounding::service::analysis::run(
            &mut conn,
            "cheltenham-2011",
            sounding::service::analysis::Mode::Full,
            &options,
            None,
            chrono::Utc::now(),
            &|_| {},
        )
        .expect("analysis");
    }
    let admin = app.signed_in("admin@example.gov.uk", Role::Admin).await;
    let mut conn = app.db.connect();
    let c = sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011")
        .expect("query")
        .expect("found");
    let theme = sounding::db::themes::of_consultation(&mut conn, c.id).expect("themes")[0]
        .id
        .0;
    let issue = sounding::db::issues::of_consultation(&mut conn, c.id).expect("issues")[2]
        .id
        .0;
    let scope = sounding::service::access::open(
        &mut conn,
        &sounding::service::access::Caller::System("test"),
        &c.slug,
    )
    .expect("scope");
    let upload = sounding::service::import::upload(
        &mut conn,
        &scope,
        "x.csv",
        b"Name,Comments\r\nAnn,Hello\r\n",
        chrono::Utc::now(),
    )
    .expect("upload");
    let workspace = [
        "/staff/consultations/cheltenham-2011/workspace".to_string(),
        "/staff/consultations/cheltenham-2011/inbox".to_string(),
        "/staff/consultations/cheltenham-2011/inbox/CHL-0001".to_string(),
        "/staff/consultations/cheltenham-2011/themes".to_string(),
        format!("/staff/consultations/cheltenham-2011/themes/{theme}"),
        "/staff/consultations/cheltenham-2011/themes/none".to_string(),
        format!("/staff/consultations/cheltenham-2011/issues/{issue}/draft"),
        "/staff/consultations/cheltenham-2011/analysis".to_string(),
        "/staff/consultations/cheltenham-2011/group".to_string(),
        "/staff/consultations/cheltenham-2011/responses/import".to_string(),
        format!("/staff/consultations/cheltenham-2011/responses/import/{upload}"),
        "/staff/users".to_string(),
    ];
    for path in &workspace {
        let page = admin.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        pages.push((path.clone(), page));
    }
    let published = public
        .get("/consultations/gloucestershire-2008/responses")
        .await;
    if published.status == 200 {
        pages.push(("published responses".into(), published));
    }
    assert!(pages.len() >= 27, "every page of the journeys is checked");
    for (path, page) in &pages {
        check(path, page);
    }
}

#[test]
fn the_checker_catches_broken_markup() {
    assert!(balance("<div><p>text</div>").len() == 2);
    assert!(balance("<div><input id=\"a\"><br><svg><path d=\"\"/></svg></div>").is_empty());
}
