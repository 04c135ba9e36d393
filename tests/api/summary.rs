//! The respondent–issue–response table: the golden test against the seed's
//! reference, orderings, filters and publication rules.

use sounding::domain::*;

use crate::helpers::TestApp;
use crate::{app_test, db_test};

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/cheltenham-2011-summary.csv"
);
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/expected/cheltenham-2011-summary.csv"
);

fn parse(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect()
}

async fn cheltenham_csv(app: &TestApp) -> String {
    app.load_fixture("cheltenham-2011");
    let page = app.get("/consultations/cheltenham-2011/summary.csv").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/csv; charset=utf-8"));
    page.body
}

app_test! {
    async fn the_cheltenham_export_matches_the_seed_table_cell_for_cell(app) {
        let body = cheltenham_csv(&app).await;
        let text = body.strip_prefix('\u{feff}').expect("starts with a byte-order mark");
        assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains("\n\u{0}"), "CRLF line ends");
        let exported = parse(text);
        // The reference sits beside the repository in CI; without it, the
        // committed golden copy of our own export guards against drift.
        if let Ok(reference) = std::fs::read_to_string(REFERENCE) {
            let expected = parse(&reference);
            assert_eq!(exported.len(), expected.len(), "same number of rows");
            for (i, (ours, theirs)) in exported.iter().zip(&expected).enumerate() {
                for column in 0..3 {
                    let continuation = i == 17 && column == 1 && theirs[1].is_empty() && ours[1] == "Cheltenham Community Safety Partnership";
                    assert!(ours[column] == theirs[column] || continuation, "row {i}, column {column}:\n ours:   {:?}\n theirs: {:?}", ours[column], theirs[column]);
                }
            }
        } else {
            eprintln!("../shared/reference not present: compared with the golden copy only");
        }
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(GOLDEN, &body).expect("write golden");
        }
        let golden = std::fs::read_to_string(GOLDEN).expect("golden file");
        assert_eq!(body, golden, "the whole export is as committed in fixtures/expected");
    }

    async fn the_page_names_consultees_as_the_seed_does_and_links_as_above(app) {
        app.load_fixture("cheltenham-2011");
        let page = app.get("/consultations/cheltenham-2011/summary").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<td>Gloucestershire County Council (GCC)</td>"));
        assert!(page.body.contains("<td>St Philip and St. James Residents Association / Stronger Communities Partnership</td>"), "a joint response names every consultee");
        assert!(page.body.contains("As above, the group suggested that Glos Police Authority sits on the SLG. <a href=\"#row-17\""));
        assert!(page.body.contains("<td>Noted</td>"));
        assert!(page.body.contains("response from CSP task and finish group"));
        assert!(page.body.contains("24 issue(s) raised in 9 response(s) by 8 consultee(s)"));
    }

    async fn every_ordering_and_filter_answers(app) {
        app.load_fixture("cheltenham-2011");
        for order in ["received", "theme", "section", "body", "consultee"] {
            let page = app.get(&format!("/consultations/cheltenham-2011/summary?order={order}")).await;
            assert_eq!(page.status, 200, "{order}");
        }
        let by_section = app.get("/consultations/cheltenham-2011/summary?order=section").await;
        let vision = by_section.body.find("<th scope=\"rowgroup\" colspan=\"4\">Vision and objectives</th>").expect("section heading");
        let safety = by_section.body.find("<th scope=\"rowgroup\" colspan=\"4\">Community safety</th>").expect("section heading");
        assert!(vision < safety, "sections in document order");
        let by_consultee = app.get("/consultations/cheltenham-2011/summary?order=consultee").await;
        assert!(by_consultee.body.contains("colspan=\"4\">Economy and Business Improvement O+S</th>"));
        let scrutiny = app.get("/consultations/cheltenham-2011/summary.csv?kind=scrutiny_committee").await;
        assert_eq!(parse(scrutiny.body.trim_start_matches('\u{feff}')).len(), 1 + 6, "the two O+S committees raised six issues");
        let by_theme = app.get("/consultations/cheltenham-2011/summary?order=theme").await;
        assert!(by_theme.body.contains("Not yet in a theme"));
    }

    async fn contact_details_leave_only_through_the_audited_officer_export(app) {
        app.load_fixture("cheltenham-2011");
        use diesel::prelude::*;
        let mut conn = app.db.connect();
        diesel::update(sounding::db::schema::consultees::table.filter(sounding::db::schema::consultees::short_name.eq("GCC")))
            .set((sounding::db::schema::consultees::contact_email.eq("policy@gloucestershire.example"), sounding::db::schema::consultees::contact_name.eq("Policy Team")))
            .execute(&mut conn)
            .expect("contact");
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        for path in ["/consultations/cheltenham-2011/summary.csv", "/consultations/cheltenham-2011/summary"] {
            assert!(!app.get(path).await.body.contains("gloucestershire.example"), "public {path}");
            assert!(!officer.get(path).await.body.contains("gloucestershire.example"), "staff {path}");
        }
        let export = officer.submit("/staff/consultations/cheltenham-2011", "/staff/consultations/cheltenham-2011/summary-with-contacts.csv", &[]).await;
        assert_eq!(export.status, 200, "{}", export.body);
        assert!(export.body.contains(",contact details\r\n"));
        assert!(export.body.contains("Policy Team <policy@gloucestershire.example>"));
        let c = sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        let log = sounding::db::audit::for_entity(&mut conn, "consultation", c.id.0).expect("audit");
        assert!(log.iter().any(|e| e.action == "summary exported with contact details" && e.actor == "officer@example.gov.uk"));

        let forged = officer.post("/staff/consultations/cheltenham-2011/summary-with-contacts.csv", &[]).await;
        assert_eq!(forged.status, 403, "no CSRF token, no export");
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        let refused = member.submit("/staff", "/staff/consultations/cheltenham-2011/summary-with-contacts.csv", &[]).await;
        assert_eq!(refused.status, 403);
    }

    async fn the_table_downloads_as_an_excel_workbook(app) {
        app.load_fixture("cheltenham-2011");
        let page = app.get("/consultations/cheltenham-2011/summary.xlsx").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        assert!(page.header("content-disposition").is_some_and(|d| d.contains("cheltenham-2011-summary.xlsx")));
    }

    async fn only_published_consultations_have_a_public_table(app) {
        app.load_fixture("cheltenham-2011");
        let mut conn = app.db.connect();
        let c = sounding::db::consultations::by_slug(&mut conn, "cheltenham-2011").expect("query").expect("found");
        sounding::db::consultations::set_status(&mut conn, c.id, ConsultationStatus::Closed, chrono::Utc::now().naive_utc()).expect("status");
        assert_eq!(app.get("/consultations/cheltenham-2011/summary").await.status, 404);
        assert_eq!(app.get("/consultations/cheltenham-2011/summary.csv").await.status, 404);
        assert_eq!(app.get("/consultations/cheltenham-2011/summary.xlsx").await.status, 404);
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        assert_eq!(officer.get("/consultations/cheltenham-2011/summary").await.status, 200, "staff see it while closed");
    }

    async fn the_public_table_honours_each_consultees_publication_choice(app) {
        app.load_fixture("cheltenham-2011");
        use diesel::prelude::*;
        let mut conn = app.db.connect();
        let withheld = sounding::db::responses::by_reference(&mut conn, "CHL-0008").expect("query").expect("police authority");
        let unpublished = sounding::db::responses::by_reference(&mut conn, "CHL-0009").expect("query").expect("O+S");
        diesel::update(sounding::db::schema::responses::table.find(withheld.id)).set(sounding::db::schema::responses::publication.eq(Publication::Anonymous)).execute(&mut conn).expect("update");
        diesel::update(sounding::db::schema::responses::table.find(unpublished.id)).set(sounding::db::schema::responses::publication.eq(Publication::NotPublished)).execute(&mut conn).expect("update");
        let public = app.get("/consultations/cheltenham-2011/summary").await;
        assert!(public.body.contains("<td>Name withheld</td>"));
        assert!(!public.body.contains("Glos Police Authority</td>"));
        assert!(!public.body.contains("Critical that partnerships are clear"), "a response not for publication is left out");
        let officer = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let staff = officer.get("/consultations/cheltenham-2011/summary").await;
        assert!(staff.body.contains("<td>Glos Police Authority</td>"));
        assert!(staff.body.contains("Critical that partnerships are clear"));
    }
}

db_test! {
    fn the_streamed_csv_equals_the_table_built_in_memory(conn) {
        use sounding::export::summary::{Columns, write_csv};
        use sounding::service::access::Caller;
        use sounding::service::summary::{self, Audience, Filter, Options, Ordering};
        sounding::service::fixtures::load(conn, "cheltenham-2011").expect("fixture");
        {
            use diesel::prelude::*;
            use sounding::db::schema::responses;
            diesel::update(responses::table.filter(responses::reference.eq("CHL-0008"))).set(responses::publication.eq(Publication::Anonymous)).execute(conn).expect("anonymous");
            diesel::update(responses::table.filter(responses::reference.eq("CHL-0009"))).set(responses::publication.eq(Publication::NotPublished)).execute(conn).expect("not published");
        }
        let c = sounding::db::consultations::by_slug(conn, "cheltenham-2011").expect("query").expect("found");
        // Themes to order by (the fixture has none until the analysis runs).
        sounding::service::analysis::run(conn, "cheltenham-2011", sounding::service::analysis::Mode::Full, &Default::default(), None, chrono::Utc::now(), &|_| {}).expect("analysis");
        let theme = sounding::db::themes::of_consultation(conn, c.id).expect("themes").first().map(|t| t.id);
        let filters = [
            Filter::default(),
            Filter { agreed_only: true, ..Filter::default() },
            Filter { consultee_kind: Some(ConsulteeKind::CountyCouncil), ..Filter::default() },
            Filter { theme, ..Filter::default() },
        ];
        // Staff (the command line) and the public (no one signed in).
        let staff = Caller::System("test");
        for (caller, audience) in [(Some(&staff), Audience::Staff), (None, Audience::Public)] {
            for ordering in Ordering::ALL.iter().copied() {
                for filter in &filters {
                    let options = Options { ordering, filter: filter.clone() };
                    let table = summary::table(conn, caller, "cheltenham-2011", &options).expect("table");
                    assert_eq!(table.audience, audience);
                    let mut in_memory = Vec::new();
                    write_csv(&mut in_memory, &table.consultation.group_name, Columns::Standard, table.rows()).expect("write");
                    for page in [1, 5, 2_000] {
                        let mut streamed = Vec::new();
                        let rows = summary::export_csv_in_pages(conn, caller, "cheltenham-2011", &options, &mut streamed, page).expect("stream");
                        assert_eq!(rows, table.rows().count());
                        assert_eq!(String::from_utf8(streamed).expect("utf-8"), String::from_utf8(in_memory.clone()).expect("utf-8"), "{audience:?} {ordering:?} {filter:?} pages of {page}");
                    }
                }
            }
        }
    }
}
