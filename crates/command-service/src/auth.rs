//! Who is calling: the [`auth::Identity`] that the server's [`auth::grpc::Authenticator`]
//! verified from the request's bearer token. This module is the one place the command service
//! reads the caller, and it reads it only from there: no header can name or change the actor.

use domain::permissions::Actor;
use tonic::Request;

pub use auth::AuthError;

/// The actor of a request that went through the authenticator.
pub fn actor<T>(request: &Request<T>) -> Result<Actor, AuthError> {
    auth::grpc::identity(request).map(auth::Identity::actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::permissions::Role;

    #[test]
    fn the_actor_is_the_verified_identity_and_nothing_else() {
        let mut request = Request::new(());
        request
            .metadata_mut()
            .insert("x-actor-role", "quality_assurer".parse().unwrap());
        assert_eq!(
            actor(&request).unwrap_err().reason,
            auth::Reason::TokenMissing
        );
        let identity = auth::Identity::new("sched-1", Role::Scheduler, None).unwrap();
        request.extensions_mut().insert(identity);
        let a = actor(&request).unwrap();
        assert_eq!((a.subject.as_str(), a.role), ("sched-1", Role::Scheduler));
    }
}
