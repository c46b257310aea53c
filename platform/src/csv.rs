//! CSV (RFC 4180) for the console's exports. Cells that a spreadsheet would run as a
//! formula are prefixed with `'`, so an export cannot carry an injected formula.

/// One line of cells, with its CRLF.
pub fn line(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    format!("{}\r\n", cells.join(","))
}

/// A cell of [`row`]: text (defused like [`line`]'s) or an amount in minor units, written
/// as a plain decimal (`-9.36`) that a spreadsheet reads as a number.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    /// Written as its plain decimal (`-12.00`), which no spreadsheet reads as a formula.
    Amount(domain::Money),
}

/// One line of text and amount cells, with its CRLF.
pub fn row(cells: &[Cell<'_>]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(text) => cell(text),
            Cell::Amount(money) => money.to_decimal_string(),
        })
        .collect();
    format!("{}\r\n", cells.join(","))
}

fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(line(&["a".into(), "b c".into()]), "a,b c\r\n");
    }
}
