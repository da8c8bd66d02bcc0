-- The installer's registry lives in its own database on the same server.
CREATE DATABASE IF NOT EXISTS cameramonit_registry CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL PRIVILEGES ON cameramonit_registry.* TO 'cameramonit'@'%';
