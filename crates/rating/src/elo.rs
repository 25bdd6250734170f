//! Elo, as FIDE computes it: the expected score from the rating difference, the new rating
//! `R + K·(S − E)`, and K by the player's record. Pure functions; no storage, no I/O.

/// Everyone's rating before their first rated battle.
pub const INITIAL_RATING: f64 = 1500.0;

/// Games played with the highest K (a new player's rating moves fast).
pub const PROVISIONAL_GAMES: u32 = 30;

/// From this rating on (once reached, for good) K is the smallest.
pub const MASTER_RATING: f64 = 2400.0;

/// The result of one battle for one player.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Win,
    Loss,
    Draw,
}

impl Outcome {
    /// The score Elo counts: 1, 0 or ½.
    pub fn score(self) -> f64 {
        match self {
            Outcome::Win => 1.0,
            Outcome::Loss => 0.0,
            Outcome::Draw => 0.5,
        }
    }

    /// The other player's outcome.
    pub fn opposite(self) -> Self {
        match self {
            Outcome::Win => Outcome::Loss,
            Outcome::Loss => Outcome::Win,
            Outcome::Draw => Outcome::Draw,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Win => "win",
            Outcome::Loss => "loss",
            Outcome::Draw => "draw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Win, Self::Loss, Self::Draw]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What K depends on: the rated games a player has finished before this one, and the
/// highest rating they have ever had.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub games: u32,
    pub peak: f64,
}

/// FIDE-style K: 40 for a player's first 30 rated games; after that 10 once the player
/// has ever reached 2400 (even if they fell below since), else 20.
pub fn k_factor(record: Record) -> u32 {
    if record.games < PROVISIONAL_GAMES {
        40
    } else if record.peak >= MASTER_RATING {
        10
    } else {
        20
    }
}

/// The score a player rated `rating` is expected to make against `opponent`.
pub fn expected(rating: f64, opponent: f64) -> f64 {
    1.0 / (1.0 + 10f64.powf((opponent - rating) / 400.0))
}

/// The player's new rating after `outcome` against `opponent`, with factor `k`.
pub fn rate(rating: f64, opponent: f64, outcome: Outcome, k: u32) -> f64 {
    rating + f64::from(k) * (outcome.score() - expected(rating, opponent))
}

/// Both players' new ratings after one game; `outcome` is the first player's. Each player
/// has their own K.
pub fn game(a: (f64, u32), b: (f64, u32), outcome: Outcome) -> (f64, f64) {
    let (ra, ka) = a;
    let (rb, kb) = b;
    (
        rate(ra, rb, outcome, ka),
        rate(rb, ra, outcome.opposite(), kb),
    )
}

/// `x` rounded to three decimals, as ratings are stored and shown (the rounding of every
/// step, so that a rating equals its last history row exactly).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: f64, b: f64, outcome: Outcome, k: u32, want: (f64, f64)) {
        let (na, nb) = game((a, k), (b, k), outcome);
        assert_eq!(
            (round3(na), round3(nb)),
            want,
            "{a} v {b}, {outcome:?}, K {k}"
        );
    }

    #[test]
    fn the_reference_vectors() {
        check(1500.0, 1500.0, Outcome::Win, 32, (1516.000, 1484.000));
        check(1600.0, 1400.0, Outcome::Win, 32, (1607.688, 1392.312));
        check(1400.0, 1600.0, Outcome::Win, 20, (1415.195, 1584.805));
        check(1200.0, 1000.0, Outcome::Draw, 40, (1189.610, 1010.390));
    }

    #[test]
    fn a_loss_is_the_mirror_of_a_win() {
        let (a, b) = game((1600.0, 32), (1400.0, 32), Outcome::Loss);
        assert_eq!((round3(a), round3(b)), (1575.688, 1424.312));
    }

    #[test]
    fn each_player_moves_by_their_own_k() {
        // A newcomer (K 40) beats an established player (K 20) of equal rating.
        let (a, b) = game((1500.0, 40), (1500.0, 20), Outcome::Win);
        assert_eq!((a, b), (1520.0, 1490.0));
    }

    #[test]
    fn k_is_40_for_the_first_30_games_then_20() {
        // `games` counts the games before this one: the 30th game is played at 40.
        assert_eq!(
            k_factor(Record {
                games: 0,
                peak: 1500.0
            }),
            40
        );
        assert_eq!(
            k_factor(Record {
                games: 29,
                peak: 1500.0
            }),
            40
        );
        assert_eq!(
            k_factor(Record {
                games: 30,
                peak: 1500.0
            }),
            20
        );
        assert_eq!(
            k_factor(Record {
                games: 31,
                peak: 2399.999
            }),
            20
        );
    }

    #[test]
    fn k_is_10_once_2400_was_reached_even_after_falling_below() {
        assert_eq!(
            k_factor(Record {
                games: 40,
                peak: 2400.0
            }),
            10
        );
        // The rating fell to 2350 since; the peak keeps K at 10.
        assert_eq!(
            k_factor(Record {
                games: 41,
                peak: 2412.5
            }),
            10
        );
        // A newcomer who reached 2400 within 30 games still plays them at 40.
        assert_eq!(
            k_factor(Record {
                games: 12,
                peak: 2405.0
            }),
            40
        );
    }

    #[test]
    fn outcomes_round_trip_and_mirror() {
        for o in [Outcome::Win, Outcome::Loss, Outcome::Draw] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(o.opposite().opposite(), o);
            assert_eq!(o.score() + o.opposite().score(), 1.0);
        }
    }
}
