# A later step's Python program, as a user would write it: google.auth.default()
# then refresh(). Prints one JSON line: {"token","projectId","client"} or
# {"error"}; exit 1 on an error. Runs on google-auth 1.5 (Debian) and 2.x.
import json
import sys

try:
    import google.auth
    import google.auth.transport.requests

    credentials, project_id = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    credentials.refresh(google.auth.transport.requests.Request())
    kind = type(credentials)
    print(json.dumps({"token": credentials.token, "projectId": project_id, "client": kind.__module__ + "." + kind.__name__}))
except Exception as error:  # noqa: BLE001 - every failure is reported the same way
    print(json.dumps({"error": type(error).__name__ + ": " + str(error)}))
    sys.exit(1)
