//! Who may act on what. Every decision about access is a function here, so that the rules are
//! read in one place and tested as a table.
//!
//! A principal that may not see a thing is answered as if the thing did not exist
//! ([`Denied::Hidden`]); one that may see it but not do what it asks is told so
//! ([`Denied::Forbidden`]).

use crate::catalog::{word_enum, Channel, LineKind};
use crate::ids::{ApiKeyId, BrandId, LineId, StaffId, StoreId, SubscriberId};

word_enum!(
    /// What a member of staff is.
    Role, "role" {
        PlatformAdmin = "platform_admin",
        BrandAdmin = "brand_admin",
        Agent = "agent",
    }
);

word_enum!(
    /// What a partner's API key may do.
    Scope, "scope" {
        Catalog = "catalog",
        Lines = "lines",
        Orders = "orders",
        Vouchers = "vouchers",
    }
);

/// The store capability that lets an agent identify subscribers.
pub const IDENTIFIES: &str = "identifies";

/// The store capability that lets an agent sell new eSIM lines.
pub const ACTIVATES_ESIMS: &str = "activates_esims";

/// The store capability that lets an agent sell new lines on physical SIM cards.
pub const SELLS_SIMS: &str = "sells_sims";

/// The store capabilities that let an agent sell at the counter.
pub const COUNTER_SALE_CAPABILITIES: [&str; 2] = ["renews_cash", "renews_card_terminal"];

/// A store an agent works at, with what it can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStore {
    pub id: StoreId,
    pub capabilities: Vec<String>,
}

/// The customer in front of an agent: the line they looked up, and its subscriber if it has
/// one. An agent acts for that customer only, until they look the next one up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serving {
    pub line: LineId,
    pub subscriber: Option<SubscriberId>,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    PlatformAdmin {
        staff: StaffId,
    },
    BrandAdmin {
        staff: StaffId,
        brand: BrandId,
    },
    Agent {
        staff: StaffId,
        brand: BrandId,
        stores: Vec<AgentStore>,
        /// The customer looked up at the counter, if any.
        serving: Option<Serving>,
    },
    Partner {
        key: ApiKeyId,
        brand: BrandId,
        scopes: Vec<Scope>,
    },
    Subscriber {
        subscriber: SubscriberId,
    },
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Answer as for something that does not exist.
    Hidden,
    /// The thing may be seen, but this is not allowed.
    Forbidden(&'static str),
}

/// The facts about a line that access depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAccess {
    pub line: LineId,
    pub brand: BrandId,
    pub subscriber: Option<SubscriberId>,
}

impl Principal {
    /// How the principal is written in audit entries and on orders (`staff:3`, `partner:7`).
    pub fn label(&self) -> String {
        match self {
            Principal::PlatformAdmin { staff }
            | Principal::BrandAdmin { staff, .. }
            | Principal::Agent { staff, .. } => format!("staff:{staff}"),
            Principal::Partner { key, .. } => format!("partner:{key}"),
            Principal::Subscriber { subscriber } => format!("subscriber:{subscriber}"),
        }
    }

    /// The brand the principal is bound to, if any.
    pub fn brand(&self) -> Option<BrandId> {
        match self {
            Principal::PlatformAdmin { .. } | Principal::Subscriber { .. } => None,
            Principal::BrandAdmin { brand, .. }
            | Principal::Agent { brand, .. }
            | Principal::Partner { brand, .. } => Some(*brand),
        }
    }

    fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::Partner { scopes, .. } => scopes.contains(&scope),
            _ => true,
        }
    }

    /// Reading a brand's catalog (`None`: every brand's): the principals bound to a brand
    /// read theirs only, another brand's being "not found". Returns the brand the reading is
    /// restricted to.
    pub fn may_read_catalog(&self, brand: Option<BrandId>) -> Result<Option<BrandId>, Denied> {
        if matches!(self, Principal::Partner { .. }) && !self.has_scope(Scope::Catalog) {
            return Err(Denied::Forbidden("this key has no catalog scope"));
        }
        match self.brand() {
            Some(own) => match brand {
                Some(b) if b != own => Err(Denied::Hidden),
                _ => Ok(Some(own)),
            },
            None => Ok(brand),
        }
    }

    /// Reading a brand's settings (the payment methods it offers): the principals bound to a
    /// brand read their own only.
    pub fn may_read_brand_settings(&self, brand: BrandId) -> Result<(), Denied> {
        owned(self.brand().is_none_or(|own| own == brand))
    }

    /// The channel a sale or a voucher redemption goes through, which follows from who asks:
    /// subscribers buy through the portal, agents through the store, partners through the
    /// partner channel, and asking for another is refused. Administrators choose it
    /// (`default` when they do not).
    pub fn sales_channel(
        &self,
        asked: Option<Channel>,
        default: Channel,
    ) -> Result<Channel, Denied> {
        let (own, why) = match self {
            Principal::PlatformAdmin { .. } | Principal::BrandAdmin { .. } => {
                return Ok(asked.unwrap_or(default))
            }
            Principal::Subscriber { .. } => (
                Channel::Portal,
                "subscribers buy through the portal channel",
            ),
            Principal::Agent { .. } => (Channel::Store, "agents sell through the store channel"),
            Principal::Partner { .. } => (
                Channel::Partner,
                "partners sell through the partner channel",
            ),
        };
        match asked {
            Some(c) if c != own => Err(Denied::Forbidden(why)),
            _ => Ok(own),
        }
    }

    /// Listing, saving, removing and paying with a line's saved payment methods. They belong
    /// to the line's subscriber; staff of the line's brand act for them (an agent only for the
    /// customer looked up at the counter). Partners never, whatever their scopes.
    pub fn may_use_saved_methods(&self, line: LineAccess) -> Result<(), Denied> {
        self.may_see_line(line)?;
        match self {
            Principal::Partner { .. } => Err(Denied::Forbidden(
                "saved payment methods belong to the subscriber; partners neither see nor use them",
            )),
            _ => Ok(()),
        }
    }

    /// Whether the principal is shown the personal details (name, e-mail, language) of the
    /// line's subscriber: staff of its brand (an agent for the customer looked up) and the
    /// subscriber themselves. A partner sells to a number and never learns who holds it.
    pub fn may_see_person(&self, line: LineAccess) -> bool {
        !matches!(self, Principal::Partner { .. }) && self.may_see_line(line).is_ok()
    }

    /// Whether the principal is shown an eSIM's activation code, with which anyone can
    /// download the profile: everyone who may see the line but partners.
    pub fn may_see_activation_code(&self, line: LineAccess) -> bool {
        self.may_see_person(line)
    }

    /// Listing lines: returns the brand (and subscriber) the listing is restricted to.
    pub fn may_list_lines(
        &self,
        brand: Option<BrandId>,
    ) -> Result<(Option<BrandId>, Option<SubscriberId>), Denied> {
        match self {
            Principal::PlatformAdmin { .. } => Ok((brand, None)),
            Principal::BrandAdmin { brand: own, .. } => match brand {
                Some(b) if b != *own => Err(Denied::Hidden),
                _ => Ok((Some(*own), None)),
            },
            Principal::Agent { .. } => Err(Denied::Forbidden(
                "agents look a subscriber up by number; they do not list lines",
            )),
            Principal::Partner { brand: own, .. } => {
                if !self.has_scope(Scope::Lines) {
                    return Err(Denied::Forbidden("this key has no lines scope"));
                }
                match brand {
                    Some(b) if b != *own => Err(Denied::Hidden),
                    _ => Ok((Some(*own), None)),
                }
            }
            Principal::Subscriber { subscriber } => Ok((brand, Some(*subscriber))),
        }
    }

    /// Seeing one line.
    pub fn may_see_line(&self, line: LineAccess) -> Result<(), Denied> {
        let visible = match self {
            Principal::PlatformAdmin { .. } => true,
            Principal::BrandAdmin { brand, .. } => line.brand == *brand,
            Principal::Agent { brand, serving, .. } => {
                owned(line.brand == *brand)?;
                return serves(*serving, line);
            }
            Principal::Partner { brand, .. } => {
                line.brand == *brand && self.has_scope(Scope::Lines)
            }
            Principal::Subscriber { subscriber } => line.subscriber == Some(*subscriber),
        };
        if visible {
            Ok(())
        } else {
            Err(Denied::Hidden)
        }
    }

    /// Selling to a line (quote, order, payment) through `channel`.
    pub fn may_sell(&self, line: LineAccess, channel: Channel) -> Result<(), Denied> {
        match self {
            Principal::PlatformAdmin { .. } => Ok(()),
            Principal::BrandAdmin { brand, .. } => owned(line.brand == *brand),
            Principal::Agent {
                brand,
                stores,
                serving,
                ..
            } => {
                owned(line.brand == *brand)?;
                serves(*serving, line)?;
                if channel != Channel::Store {
                    return Err(Denied::Forbidden("agents sell through the store channel"));
                }
                let can_sell = stores.iter().any(|s| {
                    s.capabilities
                        .iter()
                        .any(|c| COUNTER_SALE_CAPABILITIES.contains(&c.as_str()))
                });
                if can_sell {
                    Ok(())
                } else {
                    Err(Denied::Forbidden("your store does not renew lines"))
                }
            }
            Principal::Partner { brand, .. } => {
                if line.brand != *brand {
                    return Err(Denied::Hidden);
                }
                if !self.has_scope(Scope::Orders) {
                    return Err(Denied::Forbidden("this key has no orders scope"));
                }
                if channel != Channel::Partner {
                    return Err(Denied::Forbidden(
                        "partners sell through the partner channel",
                    ));
                }
                Ok(())
            }
            Principal::Subscriber { subscriber } => {
                owned(line.subscriber == Some(*subscriber))?;
                if channel != Channel::Portal {
                    return Err(Denied::Forbidden(
                        "subscribers buy through the portal channel",
                    ));
                }
                Ok(())
            }
        }
    }

    /// Selling a new line of `kind` and `brand` through `channel` (to a new subscriber, or
    /// to `subscriber` on record): administrators of the brand; agents of the brand through
    /// the store channel, at a store that activates eSIMs for an eSIM and at one that sells
    /// SIM cards for a physical SIM; for an eSIM only, partners with the orders scope through
    /// theirs, and a subscriber for themselves through the portal. A physical SIM card is
    /// handed over at a counter; virtual SIM accounts are not sold as new lines here.
    pub fn may_sell_new_line(
        &self,
        kind: LineKind,
        brand: BrandId,
        subscriber: Option<SubscriberId>,
        channel: Channel,
    ) -> Result<(), Denied> {
        let admin = matches!(
            self,
            Principal::PlatformAdmin { .. } | Principal::BrandAdmin { .. }
        );
        match kind {
            LineKind::Esim => {}
            LineKind::PhysicalSim if admin || matches!(self, Principal::Agent { .. }) => {}
            LineKind::PhysicalSim => {
                return Err(Denied::Forbidden("SIM cards are sold at a store's counter"))
            }
            LineKind::VirtualSim => {
                return Err(Denied::Forbidden("virtual SIM accounts are not sold here"))
            }
        }
        match self {
            Principal::PlatformAdmin { .. } => Ok(()),
            Principal::BrandAdmin { brand: own, .. } => owned(brand == *own),
            Principal::Agent {
                brand: own, stores, ..
            } => {
                owned(brand == *own)?;
                if channel != Channel::Store {
                    return Err(Denied::Forbidden("agents sell through the store channel"));
                }
                let (capability, refusal) = match kind {
                    LineKind::PhysicalSim => (SELLS_SIMS, "your store does not sell SIM cards"),
                    _ => (ACTIVATES_ESIMS, "your store does not activate eSIMs"),
                };
                if stores
                    .iter()
                    .any(|s| s.capabilities.iter().any(|c| c == capability))
                {
                    Ok(())
                } else {
                    Err(Denied::Forbidden(refusal))
                }
            }
            Principal::Partner { brand: own, .. } => {
                owned(brand == *own)?;
                if subscriber.is_some() {
                    return Err(Denied::Forbidden(
                        "partners sell to new customers; they do not see those on record",
                    ));
                }
                if !self.has_scope(Scope::Orders) {
                    return Err(Denied::Forbidden("this key has no orders scope"));
                }
                if channel != Channel::Partner {
                    return Err(Denied::Forbidden(
                        "partners sell through the partner channel",
                    ));
                }
                Ok(())
            }
            Principal::Subscriber { subscriber: own } => {
                if subscriber != Some(*own) {
                    return Err(Denied::Forbidden("subscribers buy lines for themselves"));
                }
                if channel != Channel::Portal {
                    return Err(Denied::Forbidden(
                        "subscribers buy through the portal channel",
                    ));
                }
                Ok(())
            }
        }
    }

    /// Seeing an order placed by `placed_by` (a [`Principal::label`]) for a line.
    pub fn may_see_order(&self, line: LineAccess, placed_by: Option<&str>) -> Result<(), Denied> {
        match self {
            Principal::Partner { .. } => owned(placed_by == Some(self.label().as_str())),
            Principal::Subscriber { subscriber } => owned(line.subscriber == Some(*subscriber)),
            _ => self.may_see_line(line),
        }
    }

    /// Redeeming a voucher on a line.
    pub fn may_redeem_voucher(&self, line: LineAccess) -> Result<(), Denied> {
        match self {
            Principal::Partner { brand, .. } => {
                owned(line.brand == *brand)?;
                if self.has_scope(Scope::Vouchers) {
                    Ok(())
                } else {
                    Err(Denied::Forbidden("this key has no vouchers scope"))
                }
            }
            Principal::Agent { .. } => self.may_sell(line, Channel::Store),
            _ => self.may_see_line(line),
        }
    }

    /// Recording the identification of a line's subscriber: administrators of its brand, and
    /// agents of its brand at a store that identifies.
    pub fn may_identify(&self, line: LineAccess) -> Result<(), Denied> {
        match self {
            Principal::PlatformAdmin { .. } => Ok(()),
            Principal::BrandAdmin { brand, .. } => owned(line.brand == *brand),
            Principal::Agent {
                brand,
                stores,
                serving,
                ..
            } => {
                owned(line.brand == *brand)?;
                serves(*serving, line)?;
                if stores
                    .iter()
                    .any(|s| s.capabilities.iter().any(|c| c == IDENTIFIES))
                {
                    Ok(())
                } else {
                    Err(Denied::Forbidden(
                        "your store does not identify subscribers",
                    ))
                }
            }
            Principal::Partner { .. } | Principal::Subscriber { .. } => {
                self.may_see_line(line)?;
                Err(Denied::Forbidden("identification is done by staff"))
            }
        }
    }

    /// Looking a customer up at the counter by a line's number: agents of the line's brand.
    pub fn may_look_up(&self, line: LineAccess) -> Result<(), Denied> {
        match self {
            Principal::Agent { brand, .. } => owned(line.brand == *brand),
            _ => {
                self.may_see_line(line)?;
                Err(Denied::Forbidden(
                    "looking customers up is for store agents at the counter",
                ))
            }
        }
    }

    /// Managing staff, keys and voucher batches of `brand` (`None`: the platform's).
    pub fn may_administer(&self, brand: Option<BrandId>) -> Result<(), Denied> {
        match (self, brand) {
            (Principal::PlatformAdmin { .. }, _) => Ok(()),
            (Principal::BrandAdmin { brand: own, .. }, Some(b)) if b == *own => Ok(()),
            _ => Err(Denied::Forbidden("administrators only")),
        }
    }
}

/// Whether the line is the customer the agent looked up (or another line of theirs).
fn serves(serving: Option<Serving>, line: LineAccess) -> Result<(), Denied> {
    match serving {
        None => Err(Denied::Forbidden(
            "look the customer up first (POST /api/v1/counter/customer)",
        )),
        Some(s)
            if s.line == line.line
                || (s.subscriber.is_some() && s.subscriber == line.subscriber) =>
        {
            Ok(())
        }
        Some(_) => Err(Denied::Forbidden(
            "this is not the customer you looked up; look them up first",
        )),
    }
}

fn owned(yes: bool) -> Result<(), Denied> {
    if yes {
        Ok(())
    } else {
        Err(Denied::Hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: BrandId = BrandId(1);
    const OTHER: BrandId = BrandId(2);

    fn line(brand: BrandId, subscriber: Option<i64>) -> LineAccess {
        LineAccess {
            line: LineId(100 + subscriber.unwrap_or(0)),
            brand,
            subscriber: subscriber.map(SubscriberId),
        }
    }

    #[test]
    fn subscribers_see_only_their_own_lines() {
        let me = Principal::Subscriber {
            subscriber: SubscriberId(5),
        };
        assert_eq!(me.may_see_line(line(OWN, Some(5))), Ok(()));
        assert_eq!(me.may_see_line(line(OWN, Some(6))), Err(Denied::Hidden));
        assert_eq!(me.may_see_line(line(OWN, None)), Err(Denied::Hidden));
        assert!(me.may_sell(line(OWN, Some(5)), Channel::Portal).is_ok());
        assert!(matches!(
            me.may_sell(line(OWN, Some(5)), Channel::Store),
            Err(Denied::Forbidden(_))
        ));
    }

    #[test]
    fn agents_sell_at_their_brand_counter_only_where_the_store_can() {
        let agent = |caps: &[&str]| Principal::Agent {
            staff: StaffId(1),
            brand: OWN,
            stores: vec![AgentStore {
                id: StoreId(1),
                capabilities: caps.iter().map(|c| (*c).to_owned()).collect(),
            }],
            serving: Some(Serving {
                line: LineId(100),
                subscriber: None,
            }),
        };
        let a = agent(&["renews_cash"]);
        assert!(a.may_sell(line(OWN, None), Channel::Store).is_ok());
        assert_eq!(
            a.may_sell(line(OTHER, None), Channel::Store),
            Err(Denied::Hidden)
        );
        assert!(a.may_sell(line(OWN, None), Channel::Portal).is_err());
        let b = agent(&["checks_devices"]);
        assert!(matches!(
            b.may_sell(line(OWN, None), Channel::Store),
            Err(Denied::Forbidden(_))
        ));
        assert!(a.may_list_lines(None).is_err());
    }

    #[test]
    fn sim_cards_are_sold_at_stores_that_sell_them_and_esims_where_they_activate() {
        let agent = |caps: &[&str]| Principal::Agent {
            staff: StaffId(1),
            brand: OWN,
            stores: vec![AgentStore {
                id: StoreId(1),
                capabilities: caps.iter().map(|c| (*c).to_owned()).collect(),
            }],
            serving: None,
        };
        let sells = agent(&[SELLS_SIMS]);
        let store = Channel::Store;
        assert_eq!(
            sells.may_sell_new_line(LineKind::PhysicalSim, OWN, None, store),
            Ok(())
        );
        assert!(sells
            .may_sell_new_line(LineKind::Esim, OWN, None, store)
            .is_err());
        assert!(sells
            .may_sell_new_line(LineKind::PhysicalSim, OTHER, None, store)
            .is_err());
        assert!(sells
            .may_sell_new_line(LineKind::PhysicalSim, OWN, None, Channel::Portal)
            .is_err());
        let activates = agent(&[ACTIVATES_ESIMS]);
        assert_eq!(
            activates.may_sell_new_line(LineKind::Esim, OWN, None, store),
            Ok(())
        );
        assert!(activates
            .may_sell_new_line(LineKind::PhysicalSim, OWN, None, store)
            .is_err());
        let me = Principal::Subscriber {
            subscriber: SubscriberId(5),
        };
        let portal = Channel::Portal;
        let mine = Some(SubscriberId(5));
        assert_eq!(
            me.may_sell_new_line(LineKind::Esim, OWN, mine, portal),
            Ok(())
        );
        assert!(me
            .may_sell_new_line(LineKind::PhysicalSim, OWN, mine, portal)
            .is_err());
        assert!(me
            .may_sell_new_line(LineKind::VirtualSim, OWN, mine, portal)
            .is_err());
    }

    #[test]
    fn agents_act_only_for_the_customer_they_looked_up() {
        let agent = |serving| Principal::Agent {
            staff: StaffId(1),
            brand: OWN,
            stores: vec![AgentStore {
                id: StoreId(1),
                capabilities: vec!["renews_cash".into(), IDENTIFIES.into()],
            }],
            serving,
        };
        let nobody = agent(None);
        assert!(matches!(
            nobody.may_see_line(line(OWN, Some(5))),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(
            nobody.may_see_line(line(OTHER, Some(5))),
            Err(Denied::Hidden)
        );
        assert_eq!(nobody.may_look_up(line(OWN, Some(5))), Ok(()));
        assert_eq!(
            nobody.may_look_up(line(OTHER, Some(5))),
            Err(Denied::Hidden)
        );

        // Serving subscriber 5 through line 105: all of their lines, nobody else's.
        let five = agent(Some(Serving {
            line: LineId(105),
            subscriber: Some(SubscriberId(5)),
        }));
        let another_of_five = LineAccess {
            line: LineId(999),
            ..line(OWN, Some(5))
        };
        assert_eq!(five.may_see_line(another_of_five), Ok(()));
        assert!(five.may_sell(another_of_five, Channel::Store).is_ok());
        assert!(matches!(
            five.may_sell(line(OWN, Some(6)), Channel::Store),
            Err(Denied::Forbidden(_))
        ));
        assert!(five.may_identify(line(OWN, None)).is_err());

        // A line without a subscriber yet (waiting for identification): that line only.
        let pending = agent(Some(Serving {
            line: LineId(100),
            subscriber: None,
        }));
        assert_eq!(pending.may_identify(line(OWN, None)), Ok(()));
        let other_pending = LineAccess {
            line: LineId(101),
            ..line(OWN, None)
        };
        assert!(pending.may_identify(other_pending).is_err());

        let admin = Principal::BrandAdmin {
            staff: StaffId(2),
            brand: OWN,
        };
        assert!(matches!(
            admin.may_look_up(line(OWN, None)),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(admin.may_look_up(line(OTHER, None)), Err(Denied::Hidden));
    }

    #[test]
    fn partners_need_scopes_and_stay_in_their_brand() {
        let p = Principal::Partner {
            key: ApiKeyId(9),
            brand: OWN,
            scopes: vec![Scope::Catalog, Scope::Orders],
        };
        assert_eq!(p.may_read_catalog(None), Ok(Some(OWN)));
        assert_eq!(p.may_read_catalog(Some(OTHER)), Err(Denied::Hidden));
        assert!(p.may_sell(line(OWN, None), Channel::Partner).is_ok());
        assert!(p.may_sell(line(OWN, None), Channel::Portal).is_err());
        assert_eq!(p.may_see_line(line(OWN, None)), Err(Denied::Hidden));
        assert!(p.may_see_order(line(OWN, None), Some("partner:9")).is_ok());
        assert_eq!(
            p.may_see_order(line(OWN, None), Some("partner:8")),
            Err(Denied::Hidden)
        );
    }

    #[test]
    fn saved_methods_and_personal_details_are_not_for_partners() {
        let all = vec![Scope::Catalog, Scope::Lines, Scope::Orders, Scope::Vouchers];
        let p = Principal::Partner {
            key: ApiKeyId(9),
            brand: OWN,
            scopes: all,
        };
        assert!(matches!(
            p.may_use_saved_methods(line(OWN, Some(5))),
            Err(Denied::Forbidden(_))
        ));
        assert_eq!(
            p.may_use_saved_methods(line(OTHER, Some(5))),
            Err(Denied::Hidden)
        );
        assert!(!p.may_see_person(line(OWN, Some(5))));
        let me = Principal::Subscriber {
            subscriber: SubscriberId(5),
        };
        assert_eq!(me.may_use_saved_methods(line(OWN, Some(5))), Ok(()));
        assert_eq!(
            me.may_use_saved_methods(line(OWN, Some(6))),
            Err(Denied::Hidden)
        );
        assert!(me.may_see_person(line(OWN, Some(5))));
        let admin = Principal::BrandAdmin {
            staff: StaffId(2),
            brand: OWN,
        };
        assert_eq!(admin.may_use_saved_methods(line(OWN, Some(5))), Ok(()));
        assert_eq!(
            admin.may_use_saved_methods(line(OTHER, Some(5))),
            Err(Denied::Hidden)
        );
    }

    #[test]
    fn the_channel_follows_from_the_principal() {
        let me = Principal::Subscriber {
            subscriber: SubscriberId(5),
        };
        assert_eq!(me.sales_channel(None, Channel::Store), Ok(Channel::Portal));
        for c in [Channel::Partner, Channel::Store, Channel::AutoRenew] {
            assert!(me.sales_channel(Some(c), Channel::Portal).is_err(), "{c}");
        }
        let p = Principal::Partner {
            key: ApiKeyId(9),
            brand: OWN,
            scopes: vec![],
        };
        assert_eq!(p.sales_channel(None, Channel::Store), Ok(Channel::Partner));
        assert!(p
            .sales_channel(Some(Channel::Portal), Channel::Store)
            .is_err());
        let admin = Principal::PlatformAdmin { staff: StaffId(1) };
        assert_eq!(
            admin.sales_channel(Some(Channel::AutoRenew), Channel::Portal),
            Ok(Channel::AutoRenew)
        );
        assert_eq!(
            admin.sales_channel(None, Channel::Store),
            Ok(Channel::Store)
        );
    }

    #[test]
    fn brand_bound_principals_read_their_brand_only() {
        let admin = Principal::BrandAdmin {
            staff: StaffId(2),
            brand: OWN,
        };
        assert_eq!(admin.may_read_catalog(None), Ok(Some(OWN)));
        assert_eq!(admin.may_read_catalog(Some(OTHER)), Err(Denied::Hidden));
        assert_eq!(admin.may_read_brand_settings(OTHER), Err(Denied::Hidden));
        assert_eq!(admin.may_read_brand_settings(OWN), Ok(()));
        let platform = Principal::PlatformAdmin { staff: StaffId(1) };
        assert_eq!(platform.may_read_catalog(Some(OTHER)), Ok(Some(OTHER)));
        assert_eq!(platform.may_read_brand_settings(OTHER), Ok(()));
    }

    #[test]
    fn brand_admins_stay_in_their_brand() {
        let a = Principal::BrandAdmin {
            staff: StaffId(2),
            brand: OWN,
        };
        assert_eq!(a.may_list_lines(None), Ok((Some(OWN), None)));
        assert_eq!(a.may_list_lines(Some(OTHER)), Err(Denied::Hidden));
        assert!(a.may_administer(Some(OWN)).is_ok());
        assert!(a.may_administer(Some(OTHER)).is_err());
        assert!(a.may_administer(None).is_err());
    }
}
