//! Questions a consultation asks.

use crate::text_enum;

text_enum! {
    /// The form a question's answer takes.
    pub enum QuestionKind ("question kind") {
        FreeText => "free_text", "Free text",
        SingleChoice => "single_choice", "Single choice",
        AgreeScale => "agree_scale", "Agree or disagree",
    }
}

/// The five points of the agree/disagree scale, in order.
pub const AGREE_SCALE: [&str; 5] = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
];
