//! E-mail receipts, through a fake SMTP relay on loopback.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sounding::mail::Mailer;

use crate::helpers::{Kind, TestApp, TestDb, fields};

/// A relay that accepts every message and keeps it.
pub fn fake_relay() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4).flatten() {
            let mut writer = stream.try_clone().expect("clone");
            let mut reader = BufReader::new(stream);
            let _ = writer.write_all(b"220 fake ESMTP\r\n");
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                let command = line.trim_end().to_ascii_uppercase();
                let reply: &[u8] = if command.starts_with("EHLO") {
                    b"250-fake\r\n250 8BITMIME\r\n"
                } else if command.starts_with("DATA") {
                    let _ = writer.write_all(b"354 go on\r\n");
                    let mut message = String::new();
                    let mut data = String::new();
                    while reader.read_line(&mut data).unwrap_or(0) > 0 {
                        if data == ".\r\n" {
                            break;
                        }
                        message.push_str(&data);
                        data.clear();
                    }
                    store.lock().expect("lock").push(message);
                    b"250 queued\r\n"
                } else if command.starts_with("QUIT") {
                    let _ = writer.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = writer.write_all(reply);
                line.clear();
            }
        }
    });
    (port, received)
}

async fn submit_with_email(app: &TestApp) -> String {
    app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date"));
    let required = app.required_question();
    let browser = app.browser();
    let form = browser.get("/consultations/cheltenham-2011/respond").await;
    let mut send = fields(&[
        ("name", "Ann Resident"),
        ("email", "ann@example.org"),
        ("on_behalf", "no"),
        ("point-1-text", "Fewer meetings, please."),
        ("publication", "anonymous"),
        ("action", "submit"),
        ("csrf_token", &form.input("csrf_token").expect("token")),
    ]);
    send.push((format!("answer-{required}"), "Yes".into()));
    let done = browser
        .post("/consultations/cheltenham-2011/respond", &send)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let confirmation = browser
        .get(done.header("location").expect("location"))
        .await;
    assert_eq!(confirmation.status, 200);
    confirmation.body
}

#[actix_web::test]
async fn a_consultee_who_gives_an_email_address_gets_a_receipt_with_their_private_link() {
    let (port, received) = fake_relay();
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Sounding <no-reply@example.gov.uk>",
    )
    .expect("mailer");
    let db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let app = TestApp::spawn_with_mailer(db, mailer);
    let confirmation = submit_with_email(&app).await;
    assert!(confirmation.contains("We have sent a receipt"));
    let start = Instant::now();
    while received.lock().expect("lock").is_empty() && start.elapsed() < Duration::from_secs(10) {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let messages = received.lock().expect("lock").clone();
    assert_eq!(messages.len(), 1, "one receipt");
    let message = messages[0].replace("=\r\n", "");
    assert!(
        message.contains("Subject: Response received: CHL-0010"),
        "{message}"
    );
    assert!(message.contains("To: ann@example.org"));
    let link = message
        .split_whitespace()
        .find(|w| w.contains("/consultations/cheltenham-2011/responses/CHL-0010?key"))
        .expect("private link in the receipt");
    let path = link.trim_start_matches(&app.address).replace("=3D", "=");
    assert_eq!(
        app.get(&path).await.status,
        200,
        "the emailed link opens the response"
    );
}

#[actix_web::test]
async fn a_relay_that_is_down_never_loses_or_delays_a_response() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{closed}"),
        "no-reply@example.gov.uk",
    )
    .expect("mailer");
    let db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let app = TestApp::spawn_with_mailer(db, mailer);
    submit_with_email(&app).await;
    let mut conn = app.db.connect();
    assert!(
        sounding::db::responses::by_reference(&mut conn, "CHL-0010")
            .expect("query")
            .is_some()
    );
}

#[actix_web::test]
async fn saved_answers_are_e_mailed_their_private_link() {
    let (port, received) = fake_relay();
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Sounding <no-reply@example.gov.uk>",
    )
    .expect("mailer");
    let db = TestDb::new(Kind::Sqlite).expect("sqlite");
    let app = TestApp::spawn_with_mailer(db, mailer);
    app.open_cheltenham(chrono::NaiveDate::from_ymd_opt(2030, 9, 2).expect("date"));
    let browser = app.browser();
    let form = browser.get("/consultations/cheltenham-2011/respond").await;
    let saved = browser
        .post(
            "/consultations/cheltenham-2011/respond",
            &fields(&[
                ("name", "Ann Resident"),
                ("email", "ann@example.org"),
                ("point-1-text", "Unfinished"),
                ("action", "save"),
                ("csrf_token", &form.input("csrf_token").expect("token")),
            ]),
        )
        .await;
    assert!(
        saved
            .body
            .contains("We have sent the link to ann@example.org"),
        "{}",
        saved.body
    );
    let start = Instant::now();
    while received.lock().expect("lock").is_empty() && start.elapsed() < Duration::from_secs(10) {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let messages = received.lock().expect("lock").clone();
    let message = messages.first().expect("a message").replace("=\r\n", "");
    assert!(message.contains("Subject: Your saved answers"), "{message}");
    assert!(
        message.contains("/consultations/cheltenham-2011/respond?resume"),
        "{message}"
    );
}
