-- Subscription payment links (issue 22): a payment link may sell a plan. Each buyer who
-- opens it gets a sign-up checkout of their own (the terms, the consent box, the recurring
-- fields), as with any plan's checkout; its title and amount are the plan's.
ALTER TABLE payment_links
    ADD COLUMN plan_id uuid,
    ADD CONSTRAINT payment_links_plan FOREIGN KEY (plan_id, merchant_id, mode)
        REFERENCES subscription_plans (id, merchant_id, mode);
