//! [`suite!`](crate::suite): one behavioural test body, run against every implementation
//! of a trait.

/// Runs every case once per implementation, each in a module named after it:
///
/// ```ignore
/// testkit::suite! {
///     memory => memory().await,
///     redis => redis().await;
///     a_case, another_case,
/// }
/// async fn a_case(store: Arc<dyn Store>) { … }
/// ```
///
/// makes `memory::a_case`, `redis::a_case`, … as multi-threaded tokio tests, each calling
/// `a_case(<its implementation's expression>)`. The expressions are evaluated inside the
/// generated module, which sees everything of the suite's module.
#[macro_export]
macro_rules! suite {
    ($($implementation:ident => $make:expr),+ ; $($case:ident),* $(,)?) => {
        $crate::suite!(@each [$($case)*] $($implementation => ($make))+);
    };
    (@each $cases:tt $($implementation:ident => ($make:expr))+) => {
        $($crate::suite!(@module $implementation ($make) $cases);)+
    };
    (@module $implementation:ident ($make:expr) [$($case:ident)*]) => {
        mod $implementation {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case($make).await;
                }
            )*
        }
    };
}

/// [`suite!`](crate::suite) for implementations that live on something the test must
/// keep until it ends (a fresh database): each expression gives `(guard, implementation)`,
/// and the guard is dropped after the case.
///
/// ```ignore
/// testkit::suite_with_guard! {
///     sqlite => sqlite().await,
///     postgres => postgres().await;
///     a_case,
/// }
/// async fn sqlite() -> (TestDatabase, Arc<dyn Store>) { … }
/// ```
#[macro_export]
macro_rules! suite_with_guard {
    ($($implementation:ident => $make:expr),+ ; $($case:ident),* $(,)?) => {
        $crate::suite_with_guard!(@each [$($case)*] $($implementation => ($make))+);
    };
    (@each $cases:tt $($implementation:ident => ($make:expr))+) => {
        $($crate::suite_with_guard!(@module $implementation ($make) $cases);)+
    };
    (@module $implementation:ident ($make:expr) [$($case:ident)*]) => {
        mod $implementation {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (_guard, implementation) = $make;
                    super::$case(implementation).await;
                }
            )*
        }
    };
}
