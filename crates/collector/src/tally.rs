//! What each client address holds (connections, bytes of uploads), each within a limit:
//! an IPv6 host counts as its whole /64, as for the rate limit, so that rotating addresses
//! inside it gains nothing. What is taken is given back when its [`Held`] is dropped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Amounts held per client, each at most `limit`.
pub struct Tally {
    limit: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

/// An amount one client holds; given back when dropped.
pub struct Held {
    tally: Arc<Tally>,
    client: IpAddr,
    amount: usize,
}

impl Tally {
    pub fn new(limit: usize) -> Arc<Tally> {
        Arc::new(Tally {
            limit,
            held: Mutex::new(HashMap::new()),
        })
    }

    /// `amount` more for `client`, unless that takes it past the limit.
    pub fn take(self: &Arc<Self>, client: IpAddr, amount: usize) -> Option<Held> {
        let mut held = Held {
            tally: self.clone(),
            client: crate::rate::bucket(client),
            amount: 0,
        };
        held.grow(amount).then_some(held)
    }

    /// What `client` holds now.
    #[cfg(test)]
    pub fn held(&self, client: IpAddr) -> usize {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&crate::rate::bucket(client)).copied().unwrap_or(0)
    }
}

impl Held {
    /// `amount` more for the same client, unless that takes it past the limit.
    pub fn grow(&mut self, amount: usize) -> bool {
        let mut held = self.tally.held.lock().unwrap_or_else(|e| e.into_inner());
        let mine = held.get(&self.client).copied().unwrap_or(0);
        if mine + amount > self.tally.limit {
            return false;
        }
        if amount > 0 {
            held.insert(self.client, mine + amount);
            self.amount += amount;
        }
        true
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut held = self.tally.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.client) {
            *n -= self.amount;
            if *n == 0 {
                held.remove(&self.client);
            }
        }
    }
}
