//! [`Locale`] as a Postgres `text` column, stored by its tag (`sq`, `sr-Latn`, `en`): the
//! language a buyer paid in, which their later emails are written in.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::{Locale, choice};

impl Type<Postgres> for Locale {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Locale {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode(choice::tag(*self), buf)
    }
}

impl<'r> Decode<'r, Postgres> for Locale {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let tag = <&str as Decode<Postgres>>::decode(value)?;
        choice::parse(tag).ok_or_else(|| format!("unknown locale {tag:?}").into())
    }
}
