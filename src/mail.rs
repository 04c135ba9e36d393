//! E-mail receipts to consultees, over SMTP to a relay the council runs.
//!
//! Sent after the response is committed and never awaited by the reply:
//! a slow or broken relay never delays or loses a response; a failure is
//! logged (the confirmation page and private link still work).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};

/// Sends mail through one SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

/// Why mail could not be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A bad relay URL or sender address.
    #[error("mail is misconfigured: {0}")]
    Config(String),
    /// The relay refused or could not be reached.
    #[error("mail could not be sent: {0}")]
    Send(String),
}

/// What a receipt says.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub to: String,
    pub consultation_title: String,
    pub reference: String,
    /// The private link, as a full URL.
    pub private_url: String,
    /// "2 September 2011 at 11:59pm", if the consultation has a closing time.
    pub closes: Option<String>,
}

/// A private link to saved answers.
#[derive(Debug, Clone)]
pub struct SavedLink {
    pub to: String,
    pub consultation_title: String,
    pub link: String,
    /// When the consultation closes, if it has a closing time.
    pub closes: Option<String>,
}

/// What an outcome notice says.
#[derive(Debug, Clone)]
pub struct OutcomeNotice {
    pub to: String,
    pub consultation_title: String,
    pub reference: String,
    /// The outcome page, as a full URL.
    pub outcome_url: String,
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://host:25` for a local relay,
    /// `smtps://user:password@host` or `smtp://host?tls=required` with TLS).
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let transport = SmtpTransport::from_url(smtp_url)
            .map_err(|e| MailError::Config(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        let from = from.parse().map_err(|e: lettre::address::AddressError| {
            MailError::Config(format!("sender “{from}”: {e}"))
        })?;
        Ok(Self { transport, from })
    }

    /// Tells a consultee the outcome is published (blocking: call it off
    /// the async executor).
    pub fn send_outcome(&self, notice: &OutcomeNotice) -> Result<(), MailError> {
        let body = format!(
            "You asked to hear about the outcome of {title} (your reference {reference}).\r\n\r\n\
             The outcome is now published: what was said, what the group answered and what changed because of it:\r\n\r\n{url}\r\n\r\n\
             Thank you for taking part.\r\n",
            title = notice.consultation_title,
            reference = notice.reference,
            url = notice.outcome_url,
        );
        self.send(
            &notice.to,
            &format!("Outcome published: {}", notice.consultation_title),
            body,
        )
    }

    /// Sends the private link to saved answers (blocking: call it off the
    /// async executor).
    pub fn send_saved(&self, saved: &SavedLink) -> Result<(), MailError> {
        let until = saved
            .closes
            .as_deref()
            .map(|c| format!(" before {c}, when the consultation closes"))
            .unwrap_or_default();
        let body = format!(
            "Your answers to {title} are saved. They have not been sent yet.\r\n\r\n\
             To carry on, open this private link{until}. Anyone with the link can see your answers, so do not share it:\r\n\r\n{link}\r\n\r\n\
             If you did not start a response to this consultation, you can ignore this email.\r\n",
            title = saved.consultation_title,
            link = saved.link,
        );
        self.send(
            &saved.to,
            &format!("Your saved answers: {}", saved.consultation_title),
            body,
        )
    }

    fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| {
            MailError::Send(format!("recipient: {e}"))
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Send(e.to_string()))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| MailError::Send(e.to_string()))
    }

    /// Sends a receipt (blocking: call it off the async executor).
    pub fn send_receipt(&self, receipt: &Receipt) -> Result<(), MailError> {
        let until = receipt
            .closes
            .as_deref()
            .map(|c| format!(" until {c}"))
            .unwrap_or_default();
        let body = format!(
            "Thank you for responding to {title}.\r\n\r\nYour reference number is {reference}.\r\n\r\n\
             You can view and change your response{until} using this private link. Anyone with the link can see your response, so do not share it:\r\n\r\n{url}\r\n\r\n\
             If you did not respond to this consultation, you can ignore this email.\r\n",
            title = receipt.consultation_title,
            reference = receipt.reference,
            url = receipt.private_url,
        );
        self.send(
            &receipt.to,
            &format!("Response received: {}", receipt.reference),
            body,
        )
    }
}
