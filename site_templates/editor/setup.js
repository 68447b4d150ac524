// Loaded before Decap's bundle: our own script (ocop-editor.js) registers the record format and
// widgets, then starts the editor itself.
window.CMS_MANUAL_INIT = true;
