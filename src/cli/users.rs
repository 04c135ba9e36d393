//! `sounding user add`: staff users from the command line.

use std::io::{BufRead, IsTerminal};

use anyhow::bail;
use clap::Subcommand;

use super::Target;
use crate::domain::Role;
use crate::service::{self, database};

/// `sounding user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user. Prints a generated password once, unless
    /// --password-stdin reads one; passwords are never logged.
    Add {
        /// The user's e-mail address (their sign-in name).
        email: String,
        /// admin, officer or group_member.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown in the audit trail.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    value
        .parse()
        .map_err(|e: crate::domain::text_enum::UnknownValue| e.to_string())
}

pub(super) fn run(target: &Target, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        name,
        password_stdin,
    } = command;
    let password = if password_stdin {
        read_password()?
    } else {
        service::passwords::generate()
    };
    let mut conn = database::open(&target.url)?;
    service::users::add(&mut conn, &email, &name, role, &password)?;
    println!("Added {email} as {}.", role.label());
    if !password_stdin {
        println!("Password (shown once, not stored anywhere in clear): {password}");
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        eprintln!("Password (input is shown; prefer piping it in):");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
}
