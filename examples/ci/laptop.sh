# On a laptop, after the Gemini OAuth quickstart's
# `gcloud auth application-default login --client-id-file=client_secret.json`:
# a token from the file it wrote, cached in ~/.cache/gemini-auth, so that
# further calls within the hour cost no request.
curl -sS -H "Authorization: Bearer $(npx --yes gemini-auth@1 token --credentials-file ~/.config/gcloud/application_default_credentials.json)" https://generativelanguage.googleapis.com/v1beta/models
