"""Django's SQLite backend, with connections that leave the WAL alone when they close.

Django opens a connection per request (or per `database_sync_to_async` call) and
closes it afterwards. By default the last connection to close a WAL database
checkpoints it, syncs the file and deletes the WAL: several milliseconds on every
request. Without that, checkpoints happen as SQLite's `wal_autocheckpoint` decides,
during commits; committed data is in the WAL, as durable as before.
"""

import sqlite3

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if hasattr(connection, "setconfig"):  # Python >= 3.12
            connection.setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
        return connection
