//! Importing responses from CSV files: through the library on both
//! databases (all or nothing, idempotent, Windows-1252) and through the
//! officers' upload, mapping and preview pages.

use sounding::db;
use sounding::domain::*;
use sounding::import::Mapping;
use sounding::service::import;

use crate::helpers::Page;
use crate::{app_test, db_test};

const FILE: &str = "Respondent,Organisation,Type,How received,Date received,Comments\r\n\
Ann Smith,Cheltenham Residents' Forum,Residents' association,letter,24/08/2011,\"1. We support the new structure.\n2. Will residents sit on the SLG?\"\r\n\
Bob Jones,,,e-mail,25/08/2011 14:30,I am concerned that the partnerships will meet in private.\r\n";

fn consultation(conn: &mut db::DbConnection) -> db::consultations::Consultation {
    sounding::service::fixtures::load(conn, "cheltenham-2011").expect("fixture");
    db::consultations::by_slug(conn, "cheltenham-2011")
        .expect("query")
        .expect("found")
}

fn import_file(
    conn: &mut db::DbConnection,
    c: &db::consultations::Consultation,
    bytes: &[u8],
) -> sounding::service::ServiceResult<import::Outcome> {
    let table = import::read(bytes)?;
    let scope = sounding::service::access::open(
        conn,
        &sounding::service::access::Caller::System("test"),
        &c.slug,
    )?;
    let (questions, _) = import::questions(conn, &scope)?;
    let mapping = Mapping::guess(&table.headers, &questions);
    import::import(
        conn,
        &scope,
        (&table, "file.csv"),
        &mapping,
        chrono::Utc::now(),
        &mut |_, _| {},
    )
}

db_test! {
    fn a_letter_dated_but_not_timed_keeps_its_date_alone(conn) {
        let c = consultation(conn);
        let file = "Name,Comments,Date\r\nAnn Smith,We support it.,24/08/2011\r\nBob Jones,We do not.,24/08/2011 10:15\r\n";
        import_file(conn, &c, file.as_bytes()).expect("import");
        let responses = db::responses::of_consultation(conn, c.id).expect("responses");
        let ann = responses.iter().find(|r| r.content.contains("We support it.")).expect("Ann's letter");
        let bob = responses.iter().find(|r| r.content.contains("We do not.")).expect("Bob's letter");
        assert!(!ann.received_time_known, "a date alone");
        assert!(bob.received_time_known, "a date and time");
        let caller = sounding::service::access::Caller::System("test");
        let scope = sounding::service::access::open(conn, &caller, &c.slug).expect("scope");
        let inbox = sounding::service::workspace::inbox::inbox(conn, &scope, &Default::default()).expect("inbox");
        let row = inbox.rows.iter().find(|r| r.reference == ann.reference).expect("listed");
        assert!(!row.received_time_known);
    }

    fn a_file_becomes_responses_split_into_issues_and_importing_it_again_adds_nothing(conn) {
        let c = consultation(conn);
        let before = db::responses::count(conn, c.id).expect("count");
        let outcome = import_file(conn, &c, FILE.as_bytes()).expect("import");
        assert_eq!((outcome.imported, outcome.skipped), (2, 0));
        assert_eq!(db::responses::count(conn, c.id).expect("count"), before + 2);
        let responses = db::responses::of_consultation(conn, c.id).expect("responses");
        let ann = responses.iter().find(|r| r.content.contains("We support the new structure")).expect("Ann's response");
        assert_eq!(ann.channel, Channel::Letter);
        assert_eq!(ann.publication, Publication::NotPublished, "no consent in the file: not published");
        let issues = db::issues::of_response(conn, ann.id).expect("issues");
        assert_eq!(issues.iter().map(|i| i.content.as_str()).collect::<Vec<_>>(), ["We support the new structure.", "Will residents sit on the SLG?"]);
        // Letters arrive untagged: each issue is tagged with the bodies it names.
        let slg = db::structure::bodies_of(conn, c.id).expect("bodies").into_iter().find(|b| b.short_name.as_deref() == Some("SLG")).expect("SLG").id;
        assert_eq!(db::issues::structure_tags_of(conn, issues[1].id).expect("tags").1, vec![slg]);
        assert!(db::issues::structure_tags_of(conn, issues[0].id).expect("tags").1.is_empty());
        let from = db::responses::consultees_of(conn, ann.id).expect("consultees");
        assert_eq!((from[0].name.as_str(), from[0].kind, from[0].contact_name.as_deref()), ("Cheltenham Residents' Forum", ConsulteeKind::ResidentsAssociation, Some("Ann Smith")));

        let again = import_file(conn, &c, FILE.as_bytes()).expect("import again");
        assert_eq!((again.imported, again.skipped), (0, 2), "the same rows are found, not doubled");
        assert_eq!(db::responses::count(conn, c.id).expect("count"), before + 2);
    }

    fn one_bad_row_stores_nothing_and_says_where(conn) {
        let c = consultation(conn);
        let before = db::responses::count(conn, c.id).expect("count");
        let bad = format!("{FILE}Cat Brown,,Alien,,not a date,Hello\r\n");
        let error = import_file(conn, &c, bad.as_bytes()).expect_err("refused");
        let message = error.to_string();
        assert!(message.contains("Row 4, column “Type”: Unknown kind of consultee “Alien”"), "{message}");
        assert!(message.contains("Row 4, column “Date received”: “not a date” is not a date"), "{message}");
        assert_eq!(db::responses::count(conn, c.id).expect("count"), before, "all or nothing");
    }

    fn a_windows_1252_file_is_converted(conn) {
        let c = consultation(conn);
        let bytes = b"Name,Comments\r\nDee,The \x93new\x94 structure costs \xa3100 \x96 too much; it\x92s unclear.\r\n".to_vec();
        import_file(conn, &c, &bytes).expect("import");
        let responses = db::responses::of_consultation(conn, c.id).expect("responses");
        assert!(responses.iter().any(|r| r.content == "The “new” structure costs £100 – too much; it’s unclear."));
    }
}

pub fn multipart(token: &str, filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----sounding-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

app_test! {
    async fn an_officer_uploads_maps_previews_and_imports_a_file(app) {
        app.load_fixture("cheltenham-2011");
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let form = browser.get("/staff/consultations/cheltenham-2011/responses/import").await;
        assert_eq!(form.status, 200);
        let token = form.input("csrf_token").expect("token");

        // A file whose text column has an unusual name: the guess misses it.
        let file = FILE.replace("Comments", "What they said");
        let (content_type, body) = multipart(&token, "letters.csv", file.as_bytes());
        let uploaded = browser.post_raw("/staff/consultations/cheltenham-2011/responses/import", &content_type, body).await;
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);
        let location = uploaded.header("location").expect("preview").to_string();
        let preview = browser.get(&location).await;
        assert_eq!(preview.status, 422, "a problem to fix first");
        assert!(preview.body.contains("Choose the column that holds the text of each response"));
        assert!(!preview.body.contains("name=\"action\" value=\"import\""), "no import button while there are problems");

        // Choose the column (index 5), check again, then import.
        let pairs = [("map-text", "5"), ("map-name", "0"), ("map-organisation", "1"), ("map-kind", "2"), ("map-channel", "3"), ("map-date", "4")];
        let mut check: Vec<(&str, &str)> = pairs.to_vec();
        check.push(("action", "preview"));
        let checked = browser.submit(&location, &location, &check).await;
        assert_eq!(checked.status, 200, "{}", checked.body);
        assert!(checked.body.contains("Import 2 responses") && checked.body.contains("Cheltenham Residents&#x27; Forum"), "{}", checked.body);
        // Rows as a spreadsheet numbers them: Ann's two-line cell does not
        // push Bob to line 4.
        assert!(checked.body.contains("<th scope=\"col\">Row</th>") && checked.body.contains("<tr><td>3</td><td>Bob Jones"), "{}", checked.body);
        let mut go: Vec<(&str, &str)> = pairs.to_vec();
        go.push(("action", "import"));
        let imported = browser.submit(&location, &location, &go).await;
        assert_eq!(imported.status, 303, "{}", imported.body);
        let done = browser.get(imported.header("location").expect("done")).await;
        assert!(done.body.contains("2 responses from letters.csv"), "{}", done.body);
        // A confirmation, not a warning: nothing is "to be skipped" once in.
        assert!(done.body.contains("<h1 class=\"panel__title\">Import complete</h1>"), "{}", done.body);
        assert!(!done.body.contains("skipped") && !done.body.contains("repeat earlier"), "{}", done.body);
        assert!(!done.body.contains("value=\"import\""), "no second import offered");
        let twice = browser.submit(&location, &location, &go).await;
        assert_eq!(twice.status, 409, "an upload is imported once");
        let inbox = browser.get("/staff/consultations/cheltenham-2011/inbox?q=residents+SLG").await;
        assert!(inbox.body.contains("1 response(s) match"), "{}", inbox.body);
        // Ann's letter gave a date only: shown alone, not "at 12:00pm";
        // Bob's e-mail keeps its time.
        let all = browser.get("/staff/consultations/cheltenham-2011/inbox").await;
        assert!(all.body.contains(">24 August 2011<") && !all.body.contains("12:00pm"), "{}", all.body);
        assert!(all.body.contains("25 August 2011 at 2:30pm"), "{}", all.body);
    }

    async fn unusable_uploads_are_refused_clearly(app) {
        app.load_fixture("cheltenham-2011");
        let browser = app.signed_in("officer@example.gov.uk", Role::Officer).await;
        let token = browser.get("/staff/consultations/cheltenham-2011/responses/import").await.input("csrf_token").expect("token");
        let (content_type, body) = multipart(&token, "empty.csv", b"");
        let empty: Page = browser.post_raw("/staff/consultations/cheltenham-2011/responses/import", &content_type, body).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("The file is empty"));
        let (content_type, body) = multipart("forged", "x.csv", FILE.as_bytes());
        assert_eq!(browser.post_raw("/staff/consultations/cheltenham-2011/responses/import", &content_type, body).await.status, 403);
        let member = app.signed_in("member@example.gov.uk", Role::GroupMember).await;
        assert_eq!(member.get("/staff/consultations/cheltenham-2011/responses/import").await.status, 403, "imports are for officers");
    }
}
