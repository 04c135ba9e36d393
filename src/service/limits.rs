//! The one set of limits on what anyone may send: the same for the web
//! form, the JSON API and a CSV import, so that no way in accepts what
//! another refuses, and no request can make a page, an export or the
//! analysis grow without bound (OWASP ASVS V13.1.3: limit input size).

/// The most issues one response may raise.
pub const ISSUES_PER_RESPONSE: usize = 50;

/// The longest issue: committees write long answers.
pub const ISSUE_CHARS: usize = 10_000;

/// The longest response, all its issues and answers together (a long
/// letter).
pub const RESPONSE_CHARS: usize = 50_000;

/// The longest answer to a question.
pub const ANSWER_CHARS: usize = 10_000;

/// The most sections (and the most bodies) one issue may be tagged with.
pub const TAGS_PER_ISSUE: usize = 100;

/// The most further organisations a joint response may name.
pub const JOINT_ORGANISATIONS: usize = 10;

/// The most sections of a consultation document.
pub const SECTIONS: usize = 100;

/// The most questions a consultation asks.
pub const QUESTIONS: usize = 100;

/// The most answer choices a question offers, and the longest choice.
pub const CHOICES_PER_QUESTION: usize = 50;
pub const CHOICE_CHARS: usize = 200;

/// The most bodies in a proposed structure, and links between them.
pub const BODIES: usize = 100;
pub const LINKS: usize = 300;

/// The longest text of a section of the document.
pub const SECTION_CHARS: usize = 50_000;

/// The longest group response.
pub const GROUP_RESPONSE_CHARS: usize = 10_000;

/// Rows a staff list shows on one page.
pub const PAGE_ROWS: usize = 50;
