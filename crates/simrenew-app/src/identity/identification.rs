//! Recording the identification of a line's subscriber, which activates the line.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use simrenew_domain::identification::{DocumentNumber, IdentificationMethod};
use simrenew_domain::identifiers::Msisdn;
use simrenew_domain::line::LineState;

use crate::audit::AuditEntry;
use crate::sales::renewal::lock_line;
use crate::{App, AppError, AppResult};

/// Who the subscriber is, as confirmed at identification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
    /// `nl`, `fr`, `de`, `en` or `zh`.
    pub language: String,
}

pub const LANGUAGES: [&str; 5] = ["nl", "fr", "de", "en", "zh"];

/// Refuses details a subscriber cannot be recorded with, naming the field.
pub(crate) fn check_person(person: &Person) -> AppResult<()> {
    if !LANGUAGES.contains(&person.language.as_str()) {
        return Err(AppError::conflict(
            "language",
            format!("must be one of {}", LANGUAGES.join(", ")),
        ));
    }
    if person.name.trim().is_empty() {
        return Err(AppError::conflict("name", "a name is needed"));
    }
    Ok(())
}

impl App {
    /// The keyed hash of a document number, the only form in which it is kept.
    pub(crate) fn document_hash(&self, document: &DocumentNumber) -> AppResult<String> {
        let key = self
            .document_key
            .clone()
            .ok_or_else(|| AppError::Conflict {
                field: None,
                message: "identification is not available: no document key is configured".into(),
            })?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| AppError::Conflict {
            field: None,
            message: "the document key is not usable".into(),
        })?;
        mac.update(document.expose_for_hashing().as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// Uses this secret for the keyed hash of document numbers.
    pub fn with_document_key(mut self, key: Vec<u8>) -> Self {
        self.document_key = Some(std::sync::Arc::new(key));
        self
    }

    /// Records that the subscriber of a line waiting for identification was identified, and
    /// activates the line. `verifier` is the principal's label.
    pub async fn identify(
        &self,
        verifier: &str,
        msisdn: &Msisdn,
        method: IdentificationMethod,
        document: &DocumentNumber,
        person: &Person,
    ) -> AppResult<()> {
        check_person(person)?;
        let hash = self.document_hash(document)?;

        let now = self.now();
        let mut tx = self.store.begin().await?;
        let line = lock_line(tx.as_mut(), msisdn).await?.line;
        if line.stored_state != LineState::PendingIdentification {
            return Err(AppError::conflict(
                "msisdn",
                format!(
                    "the line is {}, not waiting for identification",
                    line.stored_state
                ),
            ));
        }
        tx.record_identification(&line, person, method, verifier, &hash, now)
            .await?;
        tx.profile_identified(line.id, now).await?;
        tx.append_audit(
            &AuditEntry {
                chain: crate::audit::line_chain(line.id),
                actor: verifier.to_owned(),
                action: "line.identify".into(),
                subject: format!("line:{}", line.id),
                details: format!("method={method}"),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.line_changed(msisdn);
        self.forget(crate::forget::Forget::Access(msisdn.as_str().to_owned()));
        Ok(())
    }
}
