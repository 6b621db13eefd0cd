-- Break-glass grants share the exception state machine and audit: an exception of rule 'delivery.writer' lets
-- subject (a user name) write workloads in namespace outside the GitOps controller until expires_at.
ALTER TABLE vuln_exception ADD COLUMN subject TEXT NOT NULL DEFAULT '*';
