//! Who may be in a battle's room: its players always; anyone else (a spectator) in
//! matched battles, and in private ones only once they are over. Pure.

use contracts::battle::BattleMode;
use contracts::realtime::Role;
use uuid::Uuid;

use crate::clients::Snapshot;

/// Why a socket may not join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a private battle is watched only by its players while it is played")]
    Private,
}

pub fn admit(battle: &Snapshot, user: Uuid) -> Result<Role, Refusal> {
    if battle.players.contains(&user) {
        Ok(Role::Player)
    } else if battle.mode == BattleMode::Private && !battle.state.is_over() {
        Err(Refusal::Private)
    } else {
        Ok(Role::Spectator)
    }
}

/// The room of a battle's sockets.
pub fn battle_room(battle: Uuid) -> String {
    format!("battle:{battle}")
}

/// The room of all of one user's sockets.
pub fn user_room(user: Uuid) -> String {
    format!("user:{user}")
}

#[cfg(test)]
mod tests {
    use contracts::battle::BattleState;

    use super::*;

    fn battle(mode: BattleMode, state: BattleState, players: &[Uuid]) -> Snapshot {
        Snapshot {
            battle_id: Uuid::nil(),
            mode,
            state,
            players: players.to_vec(),
            last_seq: 3,
        }
    }

    #[test]
    fn players_always_and_spectators_where_public() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let rated = battle(BattleMode::Rated, BattleState::Active, &[a, b]);
        assert_eq!(admit(&rated, a), Ok(Role::Player));
        assert_eq!(admit(&rated, c), Ok(Role::Spectator));
        let private = battle(BattleMode::Private, BattleState::Active, &[a, b]);
        assert_eq!(admit(&private, b), Ok(Role::Player));
        assert_eq!(admit(&private, c), Err(Refusal::Private));
        let over = battle(BattleMode::Private, BattleState::Finished, &[a, b]);
        assert_eq!(admit(&over, c), Ok(Role::Spectator));
    }
}
