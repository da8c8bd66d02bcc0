"""A real RTSP server for tests: serves one H.264 MP4 file at rtsp://127.0.0.1:<port><mount>
over TCP and UDP, optionally behind basic authentication, in real time, as a camera would.

Usage: /usr/bin/python3 rtsp-server.py <port> <mount> <file.mp4> [<user> <password>]
With RTSP_SUB_MOUNT and RTSP_SUB_FILE in the environment it also serves a camera's sub-stream
(a smaller copy of the picture) at that mount, behind the same password. RTSP_CODEC=h265: the main
file is H.265 (the sub-stream's is H.264).
Prints "ready" on stdout when it listens. Needs Debian's gir1.2-gst-rtsp-server-1.0, python3-gi,
gstreamer1.0-plugins-good and -bad (the CI script installs them).
"""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
port, mount, path = sys.argv[1], sys.argv[2], sys.argv[3]
user = sys.argv[4] if len(sys.argv) > 5 else None
password = sys.argv[5] if len(sys.argv) > 5 else None

server = GstRtspServer.RTSPServer()
server.set_service(port)
# RTSP_ADDRESS: another address of this host (a test host in a network namespace)
address = os.environ.get("RTSP_ADDRESS", "127.0.0.1")
server.set_address(address)


def make_factory(file, codec="h264"):
    factory = GstRtspServer.RTSPMediaFactory()
    # the file's own timestamps pace the stream: a 5 s clip takes 5 s, like a live camera
    location = file.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(f'( filesrc location="{location}" ! qtdemux ! {codec}parse config-interval=1 ! rtp{codec}pay name=pay0 pt=96 )')
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)
    return factory


factories = {mount: make_factory(path, "h265" if os.environ.get("RTSP_CODEC") == "h265" else "h264")}
if os.environ.get("RTSP_SUB_MOUNT") and os.environ.get("RTSP_SUB_FILE"):
    factories[os.environ["RTSP_SUB_MOUNT"]] = make_factory(os.environ["RTSP_SUB_FILE"])

if user is not None:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera-user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("camera-user", "media.factory.access", True)
    permissions.add_permission_for_role("camera-user", "media.factory.construct", True)
    for factory in factories.values():
        factory.set_permissions(permissions)

for name, factory in factories.items():
    server.get_mount_points().add_factory(name, factory)
if server.attach(None) == 0:
    print(f"cannot listen on {address}:{port}", file=sys.stderr, flush=True)
    sys.exit(1)
print("ready", flush=True)
GLib.MainLoop().run()
