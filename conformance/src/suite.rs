//! A whole run: start the embedded mock when no target is given, run the cases for the
//! target, measure coverage, and build the report.

use std::net::SocketAddr;
use std::time::Instant;

use voicecall::auth::{new_nonce, Credentials};
use voicecall_codegen::spec::Spec;
use voicecall_mock::{ClockConfig, Mock, MockConfig, MockServer};

use crate::coverage;
use crate::engine::{Options, PlatformRun};
use crate::report::Report;
use crate::target::{Sender, Target};
use crate::{apps, edges, injected, lifecycle, provisioned, receiver, signing};

/// What to run against.
#[derive(Debug, Clone)]
pub enum Choice {
    /// The embedded mock, started in-process on 127.0.0.1 (the default).
    EmbeddedMock,
    /// A platform at a URL.
    Live {
        /// Base URL.
        url: String,
        /// The app.
        credentials: Credentials,
        /// Run cases that place calls.
        allow_calls: bool,
        /// The only numbers calls may ring.
        allowed_callees: Vec<String>,
    },
    /// A customer's notification receivers.
    Receiver {
        /// Notification id → the receiver's URL (see [`receiver::assign`]); kinds
        /// without a URL are not checked.
        urls: receiver::Urls,
        /// The app whose secret signs the pushes.
        credentials: Credentials,
    },
}

/// Runs the suite. `progress(done, total)` is called as cases complete.
pub async fn run(
    spec: &Spec,
    choice: Choice,
    options: Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Report {
    let sender = Sender::new();
    match choice {
        Choice::Receiver { urls, credentials } => {
            let started = Instant::now();
            let generated = options.property_cases.min(16);
            let results =
                receiver::run(&sender, spec, &urls, &credentials, generated, options.seed).await;
            let coverage = coverage::receiver(&results, &receiver::rule_ids(spec, &urls));
            let mut distinct: Vec<&str> = urls.iter().map(|(_, u)| u.as_str()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let base = distinct.join(" ");
            Report {
                target: format!("receiver {base}"),
                base,
                results,
                coverage,
                elapsed: started.elapsed(),
                phases: None,
                shrinking: None,
                seed: options.seed,
            }
        }
        Choice::EmbeddedMock => {
            // A fresh app per run: the secret is random and never shown.
            let secret = new_nonce();
            let secret_copy = secret.clone();
            let credentials = Credentials::new("conformanceApp", secret.clone());
            let mut config = MockConfig::single_app(credentials.app_key.clone(), secret);
            config.clock = ClockConfig::Manual;
            // A second app (erratum foreign-app-resources), and a template of app A.
            let secret_b = new_nonce();
            let second = Credentials::new(crate::apps::APP_B, secret_b.clone());
            config
                .apps
                .push(voicecall_mock::AppConfig::new(crate::apps::APP_B, secret_b));
            config.apps[0].templates.insert(
                crate::apps::TEMPLATE_A.0.into(),
                crate::apps::TEMPLATE_A.1.to_vec(),
            );
            let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
            let server = match MockServer::start(Mock::new(config), addr).await {
                Ok(s) => s,
                Err(e) => {
                    let mut r = empty(
                        format!("embedded mock (failed to start: {e})"),
                        options.seed,
                    );
                    r.coverage
                        .missing_rules
                        .push(("embedded mock".into(), e.to_string()));
                    return r;
                }
            };
            let target = Target::Platform {
                base_url: crate::engine::fronted(options.front.as_ref(), server.base_url()),
                credentials,
                embedded: true,
                allow_calls: true,
                allowed_callees: Vec::new(),
            };
            // Lifecycles first, while the mock holds no other call: running its clock
            // then plays only these calls.
            let mut lifecycle = lifecycle::run(
                spec,
                &sender,
                &server.base_url(),
                &credentials_of(&target),
                &server.mock,
                &secret_copy,
            )
            .await;
            lifecycle.extend(
                lifecycle::relations(
                    &sender,
                    &server.base_url(),
                    &credentials_of(&target),
                    &server.mock,
                )
                .await,
            );
            let mut report = platform(
                spec,
                &sender,
                &target,
                Some((server.mock.clone(), &second)),
                options,
                progress,
                "embedded mock".into(),
            )
            .await;
            coverage::add_api(
                &mut report.coverage,
                "Lifecycle",
                &lifecycle,
                &lifecycle::rule_ids(spec),
            );
            report.results.extend(lifecycle);
            server.shutdown().await;
            report
        }
        Choice::Live {
            url,
            credentials,
            allow_calls,
            allowed_callees,
        } => {
            let target = Target::Platform {
                base_url: url.clone(),
                credentials,
                embedded: false,
                allow_calls,
                allowed_callees,
            };
            platform(spec, &sender, &target, None, options, progress, url).await
        }
    }
}

fn credentials_of(t: &Target) -> Credentials {
    match t {
        Target::Platform { credentials, .. } | Target::Receiver { credentials, .. } => {
            credentials.clone()
        }
    }
}

fn empty(target: String, seed: u64) -> Report {
    Report {
        target,
        base: String::new(),
        results: Vec::new(),
        coverage: Default::default(),
        elapsed: Default::default(),
        phases: None,
        shrinking: None,
        seed,
    }
}

async fn platform(
    spec: &Spec,
    sender: &Sender,
    target: &Target,
    embedded_mock: Option<(Mock, &Credentials)>,
    options: Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    name: String,
) -> Report {
    let Target::Platform {
        base_url,
        credentials,
        embedded,
        allow_calls,
        ..
    } = target
    else {
        return empty(name, options.seed);
    };
    let seed = options.seed;
    let started = Instant::now();
    let mut results = Vec::new();
    let mut phases = None;
    let (mock, second) = match embedded_mock {
        Some((m, b)) => (Some(m), Some(b)),
        None => (None, None),
    };
    let mut recording = None;
    let mut shrinking = None;
    let front = options.front.clone();
    let max_body = mock.as_ref().map(|m| m.config().platform.max_body_bytes);
    if let Some(mut run) = PlatformRun::new(spec, target, mock, options) {
        results = run.run(progress).await;
        phases = Some((run.generation, run.sending));
        recording = run.recording().cloned();
        shrinking = Some(run.shrinking);
    }
    results.extend(signing::run(sender, base_url, credentials).await);
    match (embedded, second) {
        (true, Some(b)) => {
            let owned = apps::Owned { recording };
            results.extend(apps::run(spec, sender, base_url, credentials, b, &owned).await);
        }
        _ => results.extend(apps::skipped()),
    }
    match (embedded, max_body) {
        (true, Some(max_body)) => {
            results.extend(provisioned::run(sender, front.as_ref()).await);
            results.extend(edges::run(spec, sender, base_url, credentials, max_body).await);
            results.extend(injected::run(sender).await);
        }
        _ => {
            results.extend(provisioned::skipped());
            results.extend(edges::skipped(spec));
            results.extend(injected::skipped());
        }
    }
    let mut not_here: Vec<(String, &str)> = Vec::new();
    if !embedded {
        for op in voicecall::operations::Operation::ALL {
            for reason in provisioned::live_reasons(*op) {
                if !not_here.contains(&reason) {
                    not_here.push(reason);
                }
            }
        }
        not_here.push((
            "301 -".into(),
            "needs a recorded call; only the embedded mock makes one",
        ));
        if !allow_calls {
            not_here.push((
                "200 0".into(),
                "success places a call (or stops one): run with --allow-calls",
            ));
        }
    }
    let mut coverage = coverage::platform(
        spec,
        &results,
        |op| {
            let mut ids = signing::rule_ids(op, credentials);
            ids.extend(crate::cases::header_rule_ids(spec, op.name()));
            ids.extend(crate::cases::precedence_rule_ids(spec, op.name()));
            ids.extend(apps::rule_ids(op));
            ids.extend(provisioned::rule_ids(op));
            ids.extend(edges::rule_ids(spec, op));
            ids
        },
        &not_here,
    );
    if *embedded {
        let injected: Vec<_> = results
            .iter()
            .filter(|r| r.api == injected::API)
            .cloned()
            .collect();
        coverage::add_api(
            &mut coverage,
            injected::API,
            &injected,
            &injected::rule_ids(),
        );
    }
    Report {
        target: name,
        base: base_url.clone(),
        results,
        coverage,
        elapsed: started.elapsed(),
        phases,
        shrinking,
        seed,
    }
}
