//! Dense indices used by the engines, distinct from the external string keys of the files.

macro_rules! dense_index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for slice access.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Builds the index from a `usize` position (positions are bounded by the row limit).
            #[inline]
            pub fn from_usize(i: usize) -> Self {
                Self(i as u32)
            }
        }
    };
}

dense_index!(
    /// Position of an accepted account in [`crate::Problem::accounts`].
    AccountIdx
);
dense_index!(
    /// Position of an accepted rep in [`crate::Problem::reps`].
    RepIdx
);
dense_index!(
    /// Position of a unit (an account family assigned as one piece) in [`crate::Units`].
    UnitIdx
);
dense_index!(
    /// Position of a segment in [`crate::Problem::segments`].
    SegIdx
);
