//! Names a session's device for the sessions list: "Firefox on Linux", or "API token" with
//! the client's name, read from the user agent it signed in with.

/// "Firefox on Linux", or "API token" with the client's name, from a user agent.
pub fn describe(user_agent: Option<&str>, is_api: bool) -> (String, Option<String>) {
    let ua = user_agent.map(str::trim).filter(|ua| !ua.is_empty());
    if is_api {
        let client = ua
            .map(|ua| ua.strip_prefix("API: ").unwrap_or(ua))
            .and_then(|ua| ua.split_whitespace().next())
            .map(|product| product.split('/').next().unwrap_or(product).to_owned())
            .filter(|name| !name.is_empty() && name != "API");
        return ("API token".to_owned(), client);
    }
    let Some(ua) = ua else {
        return ("Unknown browser".to_owned(), None);
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map_or("Unknown browser", |(_, name)| name);
    let os = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| name);
    let device = match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_owned(),
    };
    (device, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_read_as_devices() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            ("", "Unknown browser"),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe(Some(ua), false).0, expected, "{ua}");
        }
        assert_eq!(
            describe(Some("curl/8.5.0"), true),
            ("API token".to_owned(), Some("curl".to_owned()))
        );
        assert_eq!(describe(None, true), ("API token".to_owned(), None));
    }
}
