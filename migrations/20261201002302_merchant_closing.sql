-- A merchant whose last team member closed their account (issue 23): it takes no payments
-- in any mode, and the anti-money-laundering period of its records runs from this date.
ALTER TABLE merchants ADD COLUMN closed_at timestamptz;
