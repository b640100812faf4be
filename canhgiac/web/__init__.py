"""The Cảnh Giác web application: public intake, channels, the officers' console."""
