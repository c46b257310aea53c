-- Fraud checks count within the attempt's mode (a Test decline never weighs on a Live
-- decision), and addresses by network (`ip <<= <network>`: the address for IPv4, the /64
-- for IPv6). The indexes follow the queries: mode first, then the address or email, whose
-- ranges Postgres turns `<<=` into, then time.
CREATE INDEX risk_decisions_by_mode_ip ON risk_decisions (mode, ip, created_at);
CREATE INDEX risk_decisions_by_mode_email ON risk_decisions (mode, buyer_email, created_at);
DROP INDEX risk_decisions_by_ip;
DROP INDEX risk_decisions_by_email;
