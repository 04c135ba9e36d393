//! Which column of a file holds which part of a response. A first mapping
//! is guessed from the column names (the words common survey tools use);
//! the officer can change any of it before importing.

use crate::domain::QuestionId;

/// A part of a response a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The person who wrote (personal data).
    Name,
    /// The organisation they wrote for; the consultee when present.
    Organisation,
    /// The kind of consultee ("County council", "Member of the public").
    Kind,
    /// Their e-mail address (personal data).
    Email,
    /// How it came: e-mail, letter, online, meeting.
    Channel,
    /// When it was received.
    Date,
    /// What they wrote: split into issues.
    Text,
    /// Their publication choice.
    Publication,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Text,
        Field::Name,
        Field::Organisation,
        Field::Kind,
        Field::Email,
        Field::Channel,
        Field::Date,
        Field::Publication,
    ];

    /// The name used in forms and on the command line (`--map text=…`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Organisation => "organisation",
            Field::Kind => "kind",
            Field::Email => "email",
            Field::Channel => "channel",
            Field::Date => "date",
            Field::Text => "text",
            Field::Publication => "publication",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name of the person who responded",
            Field::Organisation => "Organisation they responded for",
            Field::Kind => "Kind of consultee",
            Field::Email => "Email address",
            Field::Channel => "How the response came",
            Field::Date => "Date received",
            Field::Text => "Text of the response",
            Field::Publication => "Publication choice",
        }
    }

    /// Reads a key back.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Column names that usually hold this field (normalised: lower case,
    /// letters and digits only).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "name",
                "fullname",
                "yourname",
                "respondent",
                "respondentname",
                "contactname",
                "firstandlastname",
            ],
            Field::Organisation => &[
                "organisation",
                "organization",
                "organisationname",
                "organizationname",
                "company",
                "onbehalfof",
                "body",
                "respondingonbehalfof",
            ],
            Field::Kind => &[
                "kind",
                "type",
                "respondenttype",
                "consulteekind",
                "consulteetype",
                "category",
                "sector",
            ],
            Field::Email => &[
                "email",
                "emailaddress",
                "youremail",
                "youremailaddress",
                "contactemail",
            ],
            Field::Channel => &["channel", "howreceived", "source", "receivedby", "method"],
            Field::Date => &[
                "date",
                "datereceived",
                "received",
                "receivedat",
                "submitted",
                "submittedat",
                "submissiondate",
                "timestamp",
                "startdate",
                "enddate",
                "completed",
                "datecompleted",
            ],
            Field::Text => &[
                "text",
                "response",
                "responsetext",
                "comments",
                "comment",
                "yourcomments",
                "yourresponse",
                "body",
                "letter",
                "message",
                "feedback",
            ],
            Field::Publication => &[
                "publication",
                "publish",
                "canwepublish",
                "consenttopublish",
                "publicationchoice",
            ],
        }
    }
}

/// Column names compared without case, spaces or punctuation.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The mapping: for each field and question, the column index holding it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    pub fields: Vec<(Field, usize)>,
    pub questions: Vec<(QuestionId, usize)>,
}

impl Mapping {
    /// The column of a field, if mapped.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }

    /// The column of a question, if mapped.
    pub fn question_column(&self, question: QuestionId) -> Option<usize> {
        self.questions
            .iter()
            .find(|(q, _)| *q == question)
            .map(|(_, c)| *c)
    }

    /// Guesses from the column names: each field takes the first column
    /// whose name is one of its usual names; each question the column named
    /// as its prompt (or "Q1", "Question 1" by its number).
    pub fn guess(headers: &[String], questions: &[(QuestionId, i32, String)]) -> Mapping {
        let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut taken = vec![false; headers.len()];
        let mut mapping = Mapping::default();
        for (id, position, prompt) in questions {
            let wanted = [
                normalise(prompt),
                format!("q{position}"),
                format!("question{position}"),
            ];
            if let Some(c) = (0..names.len()).find(|&c| !taken[c] && wanted.contains(&names[c])) {
                taken[c] = true;
                mapping.questions.push((*id, c));
            }
        }
        for field in Field::ALL {
            let synonyms = field.synonyms();
            if let Some(c) =
                (0..names.len()).find(|&c| !taken[c] && synonyms.contains(&names[c].as_str()))
            {
                taken[c] = true;
                mapping.fields.push((field, c));
            }
        }
        mapping
    }

    /// A mapping from `field=Column name` choices (the command line) on top
    /// of a guess; an empty column name unmaps the field.
    pub fn with_choices(
        mut self,
        headers: &[String],
        choices: &[(String, String)],
    ) -> Result<Mapping, String> {
        for (key, column) in choices {
            let field = Field::from_key(key).ok_or_else(|| {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                format!("unknown field “{key}”; use one of {}", known.join(", "))
            })?;
            self.fields.retain(|(f, _)| *f != field);
            if column.trim().is_empty() {
                continue;
            }
            let index = headers
                .iter()
                .position(|h| h == column.trim())
                .ok_or_else(|| format!("the file has no column named “{column}”"))?;
            self.fields.retain(|(_, c)| *c != index);
            self.questions.retain(|(_, c)| *c != index);
            self.fields.push((field, index));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_survey_tools_export_is_mapped_from_its_column_names() {
        let h = headers(&[
            "Respondent ID",
            "Start Date",
            "Full name",
            "Organisation",
            "E-mail address",
            "Q1",
            "Your comments",
        ]);
        let q = [(
            QuestionId(7),
            1,
            "Do you agree with the vision?".to_string(),
        )];
        let m = Mapping::guess(&h, &q);
        assert_eq!(m.column(Field::Date), Some(1));
        assert_eq!(m.column(Field::Name), Some(2));
        assert_eq!(m.column(Field::Organisation), Some(3));
        assert_eq!(m.column(Field::Email), Some(4));
        assert_eq!(m.question_column(QuestionId(7)), Some(5));
        assert_eq!(m.column(Field::Text), Some(6));
        assert_eq!(m.column(Field::Kind), None);
    }

    #[test]
    fn a_column_named_as_the_question_prompt_answers_it() {
        let h = headers(&["Do you agree with the vision?", "Comments"]);
        let q = [(
            QuestionId(7),
            3,
            "Do you agree with the vision?".to_string(),
        )];
        let m = Mapping::guess(&h, &q);
        assert_eq!(m.question_column(QuestionId(7)), Some(0));
        assert_eq!(m.column(Field::Text), Some(1));
    }

    #[test]
    fn choices_override_the_guess_and_name_real_columns() {
        let h = headers(&["Comments", "Letter text"]);
        let m = Mapping::guess(&h, &[])
            .with_choices(&h, &[("text".into(), "Letter text".into())])
            .unwrap();
        assert_eq!(m.column(Field::Text), Some(1));
        assert!(
            Mapping::default()
                .with_choices(&h, &[("text".into(), "Nope".into())])
                .unwrap_err()
                .contains("no column named")
        );
        assert!(
            Mapping::default()
                .with_choices(&h, &[("colour".into(), "Comments".into())])
                .unwrap_err()
                .contains("unknown field")
        );
    }
}
