//! Typed identifiers, so that a line id is never passed where an order id is meant.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(BrandId);
id!(SubscriberId);
id!(LineId);
id!(PlanId);
id!(CatalogVersionId);
id!(PromotionId);
id!(QuoteId);
id!(OrderId);
id!(PaymentId);
id!(ProviderPaymentId);
id!(SavedPaymentMethodId);
id!(PasskeyId);
id!(BundleId);
id!(VoucherId);
id!(VoucherBatchId);
id!(StoreId);
id!(StaffId);
id!(ApiKeyId);
