"""The words staff edit on /admin/content: mail subjects and bodies, consent sentences, follow-up steps."""
