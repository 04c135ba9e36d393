//! The database schema, shared by SQLite and PostgreSQL.
//!
//! Written by hand (see `diesel.toml`): ids are BIGINT on both backends and
//! timestamps are UTC `TIMESTAMP`s without a zone.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultations (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        description -> Text,
        run_by -> Text,
        group_name -> Text,
        reference_prefix -> Text,
        responses_received -> BigInt,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        status -> Text,
        source_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        retention_days -> Nullable<Integer>,
        closed_at -> Nullable<Timestamp>,
        sign_off_by -> Text,
        publish_override -> Nullable<Text>,
        outcome_version_id -> Nullable<BigInt>,
        outcome_published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sections (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        position -> Integer,
        heading -> Text,
        content -> Text,
    }
}

diesel::table! {
    questions (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        section_id -> Nullable<BigInt>,
        position -> Integer,
        prompt -> Text,
        kind -> Text,
        choices -> Text,
        required -> Bool,
    }
}

diesel::table! {
    bodies (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        position -> Integer,
        name -> Text,
        short_name -> Nullable<Text>,
        status -> Text,
        role -> Text,
        membership -> Text,
        meets -> Text,
    }
}

diesel::table! {
    body_links (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        from_body_id -> BigInt,
        to_body_id -> BigInt,
        relation -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    consultees (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    responses (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        reference -> Text,
        channel -> Text,
        received_at -> Timestamp,
        publication -> Text,
        status -> Text,
        content -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submission_key -> Nullable<Text>,
        edit_salt -> Nullable<Text>,
        campaign_of_id -> Nullable<BigInt>,
        redacted_content -> Nullable<Text>,
        redaction_reason -> Nullable<Text>,
        redacted_by -> Nullable<BigInt>,
        redacted_at -> Nullable<Timestamp>,
        submission_hash -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<BigInt>,
        tell_me_outcome -> Bool,
        outcome_sent_at -> Nullable<Timestamp>,
        received_time_known -> Bool,
        work_status -> Text,
    }
}

diesel::table! {
    response_consultees (response_id, consultee_id) {
        response_id -> BigInt,
        consultee_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    answers (id) {
        id -> BigInt,
        response_id -> BigInt,
        question_id -> BigInt,
        value -> Text,
    }
}

diesel::table! {
    themes (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        label -> Text,
        origin -> Text,
        officer_named -> Bool,
        pinned -> Bool,
        position -> Integer,
        created_at -> Timestamp,
        top_terms -> Text,
        representatives -> Text,
        assigned_to -> Nullable<BigInt>,
    }
}

diesel::table! {
    issues (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        response_id -> BigInt,
        position -> Integer,
        content -> Text,
        kind -> Text,
        theme_id -> Nullable<BigInt>,
        theme_set_by_officer -> Bool,
        repeat_of_id -> Nullable<BigInt>,
        edited_by_officer -> Bool,
        version -> Integer,
        fits_no_theme -> Bool,
        public_content -> Nullable<Text>,
    }
}

diesel::table! {
    answer_suggestions (issue_id, suggested_issue_id) {
        issue_id -> BigInt,
        suggested_issue_id -> BigInt,
        similarity -> Float,
        rank -> Integer,
    }
}

diesel::table! {
    analysis_runs (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        status -> Text,
        stage -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        issues -> Integer,
        themes -> Integer,
        message -> Nullable<Text>,
        started_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    issue_sections (issue_id, section_id) {
        issue_id -> BigInt,
        section_id -> BigInt,
    }
}

diesel::table! {
    issue_bodies (issue_id, body_id) {
        issue_id -> BigInt,
        body_id -> BigInt,
    }
}

diesel::table! {
    issue_tags (issue_id, tag) {
        issue_id -> BigInt,
        tag -> Text,
    }
}

diesel::table! {
    group_responses (id) {
        id -> BigInt,
        issue_id -> BigInt,
        kind -> Text,
        content -> Nullable<Text>,
        same_as_issue_id -> Nullable<BigInt>,
        status -> Text,
        version -> Integer,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        before_value -> Nullable<Text>,
        after_value -> Nullable<Text>,
    }
}

diesel::table! {
    consultation_members (consultation_id, user_id) {
        consultation_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        filename -> Text,
        content -> Text,
        encoding -> Text,
        uploaded_by -> Nullable<BigInt>,
        uploaded_at -> Timestamp,
        imported_at -> Nullable<Timestamp>,
        imported -> Integer,
        skipped -> Integer,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    response_revisions (id) {
        id -> BigInt,
        response_id -> BigInt,
        version -> Integer,
        snapshot -> Text,
        replaced_at -> Timestamp,
        replaced_by -> Text,
    }
}

diesel::table! {
    structure_versions (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        number -> Integer,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    version_bodies (id) {
        id -> BigInt,
        version_id -> BigInt,
        consulted_body_id -> Nullable<BigInt>,
        position -> Integer,
        name -> Text,
        short_name -> Nullable<Text>,
        status -> Text,
        role -> Text,
        membership -> Text,
        meets -> Text,
    }
}

diesel::table! {
    version_links (id) {
        id -> BigInt,
        version_id -> BigInt,
        from_body_id -> BigInt,
        to_body_id -> BigInt,
        relation -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    structure_changes (id) {
        id -> BigInt,
        version_id -> BigInt,
        action -> Text,
        subject -> Text,
        summary -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    structure_change_issues (change_id, issue_id) {
        change_id -> BigInt,
        issue_id -> BigInt,
    }
}

diesel::table! {
    committee_reports (consultation_id) {
        consultation_id -> BigInt,
        committee -> Text,
        meeting_date -> Nullable<Date>,
        purpose -> Text,
        next_steps -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    saved_responses (id) {
        id -> BigInt,
        consultation_id -> BigInt,
        key_hash -> Text,
        draft -> Text,
        saved_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(version_bodies -> structure_versions (version_id));
diesel::joinable!(structure_changes -> structure_versions (version_id));
diesel::joinable!(structure_change_issues -> structure_changes (change_id));
diesel::joinable!(structure_change_issues -> issues (issue_id));
diesel::joinable!(response_revisions -> responses (response_id));
diesel::joinable!(sections -> consultations (consultation_id));
diesel::joinable!(questions -> consultations (consultation_id));
diesel::joinable!(bodies -> consultations (consultation_id));
diesel::joinable!(consultees -> consultations (consultation_id));
diesel::joinable!(responses -> consultations (consultation_id));
diesel::joinable!(response_consultees -> responses (response_id));
diesel::joinable!(response_consultees -> consultees (consultee_id));
diesel::joinable!(answers -> responses (response_id));
diesel::joinable!(themes -> consultations (consultation_id));
diesel::joinable!(issues -> responses (response_id));
diesel::joinable!(issues -> themes (theme_id));
diesel::joinable!(issue_sections -> issues (issue_id));
diesel::joinable!(issue_sections -> sections (section_id));
diesel::joinable!(issue_bodies -> issues (issue_id));
diesel::joinable!(issue_bodies -> bodies (body_id));
diesel::joinable!(issue_tags -> issues (issue_id));
diesel::joinable!(group_responses -> users (updated_by));

diesel::joinable!(analysis_runs -> consultations (consultation_id));
diesel::joinable!(consultation_members -> consultations (consultation_id));
diesel::joinable!(consultation_members -> users (user_id));
diesel::joinable!(imports -> consultations (consultation_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    consultations,
    sections,
    questions,
    bodies,
    body_links,
    consultees,
    responses,
    response_consultees,
    answers,
    themes,
    issues,
    issue_sections,
    issue_bodies,
    issue_tags,
    group_responses,
    audit_log,
    sessions,
    response_revisions,
    answer_suggestions,
    analysis_runs,
    consultation_members,
    imports,
    structure_versions,
    version_bodies,
    version_links,
    structure_changes,
    structure_change_issues,
    committee_reports,
    saved_responses,
);
