//! Responses: one submission from one or several consultees.

use crate::text_enum;

text_enum! {
    /// How a response reached us.
    pub enum Channel ("channel") {
        Online => "online", "Online",
        Email => "email", "Email",
        Letter => "letter", "Letter",
        Meeting => "meeting", "Meeting",
        Import => "import", "Imported",
    }
}

text_enum! {
    /// What the consultee agreed to about publishing their response.
    pub enum Publication ("publication choice") {
        WithNames => "with_names", "Publish with names",
        Anonymous => "anonymous", "Publish without names",
        NotPublished => "not_published", "Do not publish",
    }
}

text_enum! {
    /// Where the group is with a response.
    pub enum WorkStatus ("work status") {
        New => "new", "New",
        InProgress => "in_progress", "In progress",
        Done => "done", "Done",
    }
}

text_enum! {
    /// Whether a response counts: held ones (e.g. that tripped the spam
    /// honeypot) wait for an officer rather than being dropped.
    pub enum ResponseStatus ("response status") {
        Received => "received", "Received",
        Held => "held", "Held for review",
        Withdrawn => "withdrawn", "Withdrawn",
    }
}
