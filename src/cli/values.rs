//! Free-text options that still have a few named values: the names are
//! offered by shell completions and listed in the man pages, while anything
//! else the option's own parser accepts (a proposal list, say) stays valid.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};

/// A plain parsing function, the usual `inner` of [`Named`].
pub type ParseFn<T> = fn(&str) -> Result<T, String>;

/// `inner` parses; `values` (name, one-line meaning) are what completions
/// offer and `--help`/man list. clap's own error for a bad value is kept.
#[derive(Debug, Clone, Copy)]
pub struct Named<P> {
    inner: P,
    values: &'static [(&'static str, &'static str)],
}

impl<P> Named<P> {
    pub const fn new(inner: P, values: &'static [(&'static str, &'static str)]) -> Self {
        Named { inner, values }
    }
}

impl<P: TypedValueParser> TypedValueParser for Named<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        self.inner.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.values
                .iter()
                .map(|(name, help)| PossibleValue::new(*name).help(*help)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn cmd() -> Command {
        Command::new("t").arg(Arg::new("port").long("port").value_parser(Named::new(
            |s: &str| match s {
                "500" | "4500" => Ok(s.parse::<u16>().unwrap_or_default()),
                _ => Err(format!("'{s}' is not an IKE port")),
            },
            &[("500", "IKE"), ("4500", "NAT-T")],
        )))
    }

    #[test]
    fn parses_through_the_inner_parser_and_lists_the_names() {
        let m = cmd().try_get_matches_from(["t", "--port", "4500"]).unwrap();
        assert_eq!(m.get_one::<u16>("port"), Some(&4500));
        let err = cmd()
            .try_get_matches_from(["t", "--port", "600"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'600' is not an IKE port"), "{err}");
        let mut c = cmd();
        c.build();
        let arg = c.get_arguments().find(|a| a.get_id() == "port").unwrap();
        let names: Vec<String> = arg
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(names, ["500", "4500"]);
    }
}
