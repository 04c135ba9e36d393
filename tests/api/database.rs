//! The schema on both backends: migrations, every table, constraints, errors.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use sounding::db::{self, DatabaseUrl, DbConnection};
use sounding::domain::*;

use crate::db_test;

fn now() -> chrono::NaiveDateTime {
    Utc::now().naive_utc()
}

fn a_consultation(conn: &mut DbConnection, slug: &str) -> ConsultationId {
    db::consultations::insert(
        conn,
        &db::consultations::NewConsultation {
            slug,
            title: "Improving partnership structures",
            description: "Summary",
            run_by: "Cheltenham Strategic Partnership",
            group_name: "CSP task and finish group",
            reference_prefix: "CHL",
            opens_at: None,
            closes_at: Some(
                time::end_of_london_day(NaiveDate::from_ymd_opt(2011, 9, 2).expect("date"))
                    .naive_utc(),
            ),
            status: ConsultationStatus::Draft,
            source_note: None,
            created_at: now(),
            updated_at: now(),
        },
    )
    .expect("insert consultation")
}

db_test! {
    fn migrations_from_empty_create_every_table(conn) {
        // A second run finds nothing pending.
        assert!(db::migrations::run_pending(conn).expect("migrate again").is_empty());
        assert!(db::consultations::all(conn).expect("query").is_empty());
        assert!(db::users::by_email(conn, "nobody@example.org").expect("query").is_none());
    }

    fn every_table_can_be_written_and_read_back(conn) {
        let c = a_consultation(conn, "round-trip");
        let read = db::consultations::by_slug(conn, "round-trip").expect("query").expect("found");
        assert_eq!((read.id, read.status, read.title.as_str()), (c, ConsultationStatus::Draft, "Improving partnership structures"));
        assert_eq!(read.closes_at.map(|t| t.to_string()).as_deref(), Some("2011-09-02 22:59:59"));

        let s = db::document::insert_section(conn, &db::document::NewSection { consultation_id: c, position: 1, heading: "Vision", content: "Text" }).expect("section");
        let q = db::document::insert_question(conn, &db::document::NewQuestion {
            consultation_id: c, section_id: Some(s), position: 1, prompt: "Do you agree?",
            kind: QuestionKind::AgreeScale, choices: r#"["Agree","Disagree"]"#, required: true,
        }).expect("question");
        assert_eq!(db::document::sections_of(conn, c).expect("sections")[0].heading, "Vision");
        let questions = db::document::questions_of(conn, c).expect("questions");
        assert_eq!((questions[0].id, questions[0].kind, questions[0].section_id), (q, QuestionKind::AgreeScale, Some(s)));
        assert_eq!(questions[0].choice_list(), vec!["Agree", "Disagree"]);

        let slg = db::structure::insert_body(conn, &db::structure::NewBody {
            consultation_id: c, position: 1, name: "Strategic Leadership Group", short_name: Some("SLG"),
            status: BodyStatus::Proposed, role: "Leads", membership: "Leaders", meets: "Twice a year",
        }).expect("body");
        let pl = db::structure::insert_body(conn, &db::structure::NewBody {
            consultation_id: c, position: 2, name: "Positive Lives Partnership", short_name: None,
            status: BodyStatus::Proposed, role: "Commissions", membership: "Commissioners", meets: "Quarterly",
        }).expect("body");
        db::structure::insert_link(conn, &db::structure::NewBodyLink {
            consultation_id: c, from_body_id: pl, to_body_id: slg, relation: Relation::ReportsTo, note: None,
        }).expect("link");
        let bodies = db::structure::bodies_of(conn, c).expect("bodies");
        assert_eq!(bodies.iter().map(|b| b.short_name.as_deref()).collect::<Vec<_>>(), vec![Some("SLG"), None]);
        let links = db::structure::links_of(conn, c).expect("links");
        assert_eq!((links[0].from_body_id, links[0].to_body_id, links[0].relation), (pl, slg, Relation::ReportsTo));

        let gcc = db::consultees::insert(conn, &db::consultees::NewConsultee {
            consultation_id: c, name: "Gloucestershire County Council", short_name: Some("GCC"),
            kind: ConsulteeKind::CountyCouncil, contact_name: None, contact_email: Some("consult@example.gov.uk"), created_at: now(),
        }).expect("consultee");
        let found = db::consultees::by_name(conn, c, "Gloucestershire County Council").expect("query").expect("found");
        assert_eq!((found.id, found.kind, found.contact_email.as_deref()), (gcc, ConsulteeKind::CountyCouncil, Some("consult@example.gov.uk")));

        let r = db::responses::insert(conn, &db::responses::NewResponse {
            consultation_id: c, reference: "CHL-0001", channel: Channel::Letter, received_at: now(),
            publication: Publication::WithNames, status: ResponseStatus::Received, content: "Our letter", created_at: now(), updated_at: now(), submission_key: None, edit_salt: None, submission_hash: None, tell_me_outcome: false, received_time_known: true,
        }).expect("response");
        db::responses::add_consultee(conn, r, gcc, 1).expect("response consultee");
        db::responses::add_answer(conn, r, q, "Agree").expect("answer");
        let response = db::responses::by_reference(conn, "CHL-0001").expect("query").expect("found");
        assert_eq!((response.id, response.channel, response.publication, response.version), (r, Channel::Letter, Publication::WithNames, 1));
        assert_eq!(db::responses::answers_of(conn, r).expect("answers"), vec![(q, "Agree".to_string())]);
        let raised = db::responses::consultees_of_responses(conn, c).expect("consultees");
        assert_eq!(raised.iter().map(|(rid, k)| (*rid, k.name.as_str())).collect::<Vec<_>>(), vec![(r, "Gloucestershire County Council")]);

        let t = db::themes::insert(conn, &db::themes::NewTheme {
            consultation_id: c, label: "Membership of the SLG", origin: ThemeOrigin::Officer, officer_named: true, pinned: false, position: 1, created_at: now(),
        }).expect("theme");
        assert_eq!(db::themes::of_consultation(conn, c).expect("themes")[0].origin, ThemeOrigin::Officer);

        let first = db::issues::insert(conn, &db::issues::NewIssue { consultation_id: c, response_id: r, position: 1, content: "Who sits on the SLG?", kind: IssueKind::Question }).expect("issue");
        let second = db::issues::insert(conn, &db::issues::NewIssue { consultation_id: c, response_id: r, position: 2, content: "Police should.", kind: IssueKind::Suggestion }).expect("issue");
        db::issues::tag_section(conn, first, s).expect("section tag");
        db::issues::tag_body(conn, first, slg).expect("body tag");
        db::issues::tag(conn, first, "membership").expect("free tag");
        diesel::update(db::schema::issues::table.find(first)).set(db::schema::issues::theme_id.eq(t)).execute(conn).expect("theme");
        let issues = db::issues::of_consultation(conn, c).expect("issues");
        assert_eq!(issues.iter().map(|i| (i.id, i.kind)).collect::<Vec<_>>(), vec![(first, IssueKind::Question), (second, IssueKind::Suggestion)]);
        assert_eq!(issues[0].theme_id, Some(t));
        assert_eq!(db::issues::section_tags(conn, c).expect("tags"), vec![(first, s)]);
        assert_eq!(db::issues::body_tags(conn, c).expect("tags"), vec![(first, slg)]);
        assert_eq!(db::issues::free_tags(conn, c).expect("tags"), vec![(first, "membership".to_string())]);

        let user = sounding::service::users::add(conn, "Officer@Example.gov.uk", "Ann Officer", Role::Officer, "a long enough password").expect("user");
        let stored = db::users::by_email(conn, "officer@example.gov.uk").expect("query").expect("found");
        assert_eq!((stored.id, stored.role, stored.disabled), (user, Role::Officer, false));
        assert!(sounding::service::passwords::verify("a long enough password", &stored.password_hash));

        db::group_responses::insert(conn, &db::group_responses::NewGroupResponse {
            issue_id: first, kind: GroupResponseKind::Written, content: Some("The SLG will include the police authority."),
            same_as_issue_id: None, status: DraftStatus::Agreed, updated_by: Some(user), updated_at: now(),
        }).expect("group response");
        db::group_responses::insert(conn, &db::group_responses::NewGroupResponse {
            issue_id: second, kind: GroupResponseKind::AsAbove, content: None,
            same_as_issue_id: Some(first), status: DraftStatus::Draft, updated_by: None, updated_at: now(),
        }).expect("group response");
        let answers = db::group_responses::of_consultation(conn, c).expect("group responses");
        assert_eq!(answers.len(), 2);
        assert_eq!((answers[1].kind, answers[1].same_as_issue_id), (GroupResponseKind::AsAbove, Some(first)));

        let history = db::audit::for_entity(conn, "user", user.0).expect("audit");
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].actor.as_str(), history[0].action.as_str()), ("cli", "user added"));
    }

    fn a_foreign_key_violation_is_an_error_not_a_panic(conn) {
        let result = db::document::insert_section(conn, &db::document::NewSection {
            consultation_id: ConsultationId(999_999), position: 1, heading: "Orphan", content: "",
        });
        match result {
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)) => {}
            other => panic!("expected a foreign-key violation, got {other:?}"),
        }
    }

    fn a_duplicate_slug_is_refused_by_the_database(conn) {
        a_consultation(conn, "twice");
        let again = db::consultations::insert(conn, &db::consultations::NewConsultation {
            slug: "twice", title: "t", description: "s", run_by: "r", group_name: "g", reference_prefix: "TW",
            opens_at: None, closes_at: None, status: ConsultationStatus::Draft, source_note: None, created_at: now(), updated_at: now(),
        });
        assert!(matches!(again, Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))));
    }

    fn response_numbers_are_taken_in_turn(conn) {
        let c = a_consultation(conn, "numbers");
        let taken: Vec<i64> = (0..3).map(|_| db::consultations::take_response_number(conn, c).expect("number")).collect();
        assert_eq!(taken, vec![1, 2, 3]);
    }

    fn an_unknown_stored_word_is_a_clear_error(conn) {
        a_consultation(conn, "bad-status");
        diesel::sql_query("UPDATE consultations SET status = 'archived' WHERE slug = 'bad-status'").execute(conn).expect("update");
        let err = db::consultations::by_slug(conn, "bad-status").expect_err("unknown status");
        let mut chain = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            chain.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        assert!(chain.contains("“archived” is not a known consultation status"), "{chain}");
    }
}

#[test]
fn a_bad_database_url_is_refused_with_a_clear_message() {
    let err =
        DatabaseUrl::parse("mysql://root@localhost/sounding").expect_err("mysql is not supported");
    assert!(err.to_string().contains("unsupported database URL scheme"));
    assert!(DatabaseUrl::parse("").is_err());
}

#[test]
fn an_unreachable_postgres_server_is_an_error_not_a_panic() {
    let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/nothing").expect("valid url");
    let err = url.connect().err().expect("nothing listens on port 1");
    assert!(!err.to_string().is_empty());
}

#[test]
fn sqlite_connections_have_foreign_keys_wal_and_full_sync() {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let db = crate::helpers::TestDb::new(crate::helpers::Kind::Sqlite).expect("sqlite");
    let pool = db.pool();
    let mut conn = pool.get().expect("pooled connection");
    let DbConnection::Sqlite(sqlite) = &mut *conn else {
        panic!("expected SQLite")
    };
    let number = |c: &mut diesel::SqliteConnection, column: &str, pragma: &str| -> i64 {
        diesel::sql_query(format!("SELECT {column} AS value FROM pragma_{pragma}"))
            .get_result::<Number>(c)
            .expect("pragma")
            .value
    };
    assert_eq!(number(sqlite, "foreign_keys", "foreign_keys"), 1);
    assert_eq!(number(sqlite, "synchronous", "synchronous"), 2, "2 is FULL");
    assert_eq!(number(sqlite, "timeout", "busy_timeout"), 5000);
    let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
        .get_result::<Word>(sqlite)
        .expect("mode");
    assert_eq!(mode.value, "wal");
}
