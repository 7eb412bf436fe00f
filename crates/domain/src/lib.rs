//! Pure domain core of the Ofsted ECF/NPQ lead-provider inspection system.
