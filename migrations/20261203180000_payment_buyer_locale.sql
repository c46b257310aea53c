-- The language the buyer read the checkout in: their receipt, refund notice and, for a
-- subscription's first payment, every later subscription mail are written in it.
-- Payments made before the buyer pages were translated were read in English.
ALTER TABLE payments ADD COLUMN buyer_locale text NOT NULL DEFAULT 'en'
    CHECK (buyer_locale IN ('sq', 'sr-Latn', 'en'));
-- Every new payment names its language.
ALTER TABLE payments ALTER COLUMN buyer_locale DROP DEFAULT;
