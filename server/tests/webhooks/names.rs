//! A fixed table of host names and their addresses, given to the platform in place of the
//! system's resolver: a test points a name wherever it likes, and re-points it later as
//! DNS could.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use platform::Platform;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

#[derive(Clone, Default)]
pub struct Names(Arc<Mutex<HashMap<String, Vec<IpAddr>>>>);

impl Names {
    /// `name` resolves to `addrs` from now on.
    pub fn set(&self, name: &str, addrs: &[&str]) {
        let addrs = addrs.iter().map(|a| a.parse().unwrap()).collect();
        self.0.lock().unwrap().insert(name.to_owned(), addrs);
    }

    /// `platform`, resolving webhook hosts through this table.
    pub fn for_platform(&self, platform: &Platform) -> Platform {
        platform.clone().resolving_with(Arc::new(self.clone()))
    }
}

impl Resolve for Names {
    fn resolve(&self, name: Name) -> Resolving {
        let found = self.0.lock().unwrap().get(name.as_str()).cloned();
        Box::pin(async move {
            let addrs = found.ok_or("no such name")?;
            // Port 0: the client puts in the URL's port, as with the system's resolver.
            let addrs: Vec<SocketAddr> =
                addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
